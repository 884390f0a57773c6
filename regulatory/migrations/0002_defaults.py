"""The default alarm rules, the NEV fire report rule and the report clocks' chains."""

from django.db import migrations

from regulatory import seed


def forward(apps, schema_editor):
    AlarmRule = apps.get_model("regulatory", "AlarmRule")
    ReportRule = apps.get_model("regulatory", "ReportRule")
    Chain = apps.get_model("escalation", "EscalationChain")
    Step = apps.get_model("escalation", "EscalationStep")
    for code, (l1, l2, l3) in seed.ALARM_RULES.items():
        AlarmRule.objects.get_or_create(
            alarm_type=code, defaults={"level_1": l1, "level_2": l2, "level_3": l3}
        )
    rule = dict(seed.NEV_FIRE_RULE)
    ReportRule.objects.get_or_create(name=rule.pop("name"), defaults=rule)
    every, audiences = seed.REPORT_CHAIN_REPEAT
    for name, target in seed.REPORT_CHAINS:
        if Chain.objects.filter(target=target).exists():
            continue
        chain = Chain.objects.create(
            name=name,
            grade="I",  # unused: a report clock names its chain (regulatory.services)
            target=target,
            repeat_every_minutes=every,
            repeat_audiences=audiences,
        )
        for position, (delay, who) in enumerate(seed.REPORT_CHAIN_STEPS, start=1):
            Step.objects.create(chain=chain, position=position, delay_minutes=delay, audiences=who)


def backward(apps, schema_editor):
    Chain = apps.get_model("escalation", "EscalationChain")
    Chain.objects.filter(target__in=[t for _n, t in seed.REPORT_CHAINS]).delete()
    apps.get_model("regulatory", "ReportRule").objects.filter(
        name=seed.NEV_FIRE_RULE["name"]
    ).delete()
    apps.get_model("regulatory", "AlarmRule").objects.filter(
        alarm_type__in=list(seed.ALARM_RULES)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("regulatory", "0001_initial"),
        ("escalation", "0008_sweep_run"),
    ]

    operations = [migrations.RunPython(forward, backward)]
