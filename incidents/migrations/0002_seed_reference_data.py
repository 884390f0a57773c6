from django.db import migrations

from incidents.seed import CATEGORIES, CONFIRM_MINUTES, TARGETS


def seed(apps, schema_editor):
    Category = apps.get_model("incidents", "Category")
    ResponsePolicy = apps.get_model("incidents", "ResponsePolicy")
    for position, (slug, name, name_zh, owner, concerned) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "name_zh": name_zh,
                "owning_team_kind": owner,
                "concerned_team_kinds": concerned,
                "position": position,
            },
        )
    for grade, (arrive, resolve) in TARGETS.items():
        ResponsePolicy.objects.get_or_create(
            grade=grade,
            defaults={
                "confirm_minutes": CONFIRM_MINUTES,
                "arrive_minutes": arrive,
                "resolve_minutes": resolve,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("incidents", "ResponsePolicy").objects.all().delete()
    apps.get_model("incidents", "Category").objects.filter(
        slug__in=[c[0] for c in CATEGORIES], incidents__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
