from django.db import migrations

from escalation.seed import default_chains


def seed(apps, schema_editor):
    Chain = apps.get_model("escalation", "EscalationChain")
    Step = apps.get_model("escalation", "EscalationStep")
    for name, grade, target, repeat, repeat_audiences, steps in default_chains():
        if Chain.objects.filter(grade=grade, target=target, is_active=True).exists():
            continue
        chain = Chain.objects.create(
            name=name,
            grade=grade,
            target=target,
            repeat_every_minutes=repeat,
            repeat_audiences=repeat_audiences,
        )
        for position, (delay, audiences) in enumerate(steps, start=1):
            Step.objects.create(
                chain=chain, position=position, delay_minutes=delay, audiences=audiences
            )


def unseed(apps, schema_editor):
    names = [c[0] for c in default_chains()]
    apps.get_model("escalation", "EscalationChain").objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [("escalation", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
