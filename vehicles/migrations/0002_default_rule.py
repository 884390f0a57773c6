"""The default 三包 rule set: the figures of the family-car rules in force since 2022-01-01
(docs/vehicles.md cites the article of each; the field defaults are those figures)."""

from django.db import migrations


def create(apps, schema_editor):
    SanbaoRule = apps.get_model("vehicles", "SanbaoRule")
    if not SanbaoRule.objects.filter(is_default=True).exists():
        SanbaoRule.objects.create(
            name="Family-car 三包 rules (2021, in force 2022-01-01)",
            name_zh="家用汽车产品三包规定（2021 年，2022-01-01 施行）",  # noqa: RUF001
            is_default=True,
        )


def remove(apps, schema_editor):
    apps.get_model("vehicles", "SanbaoRule").objects.filter(
        is_default=True, vehicle_models__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("vehicles", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
