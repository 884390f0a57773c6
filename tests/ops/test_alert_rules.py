"""docs/alerts.yml parses as a Prometheus rules file and covers what issue 14 asks an
operator to alert on (promtool is not installed here: this checks the structure)."""

import re
from pathlib import Path

import yaml

from core.metrics import HTTP_LATENCY

RULES = Path(__file__).resolve().parents[2] / "docs" / "alerts.yml"


def rules() -> dict[str, dict]:
    document = yaml.safe_load(RULES.read_text())
    found = {}
    for group in document["groups"]:
        assert set(group) == {"name", "rules"}
        for rule in group["rules"]:
            assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}
            assert rule["alert"] not in found
            assert isinstance(rule["expr"], str) and rule["expr"].strip()
            assert rule["expr"].count("(") == rule["expr"].count(")")
            found[rule["alert"]] = rule
    return found


def test_the_rules_cover_lateness_backlog_readiness_and_failed_deliveries():
    found = rules()
    assert (
        "aftersales_escalation_step_lateness_seconds_bucket" in found["EscalationLateP99"]["expr"]
    )
    assert "> 5" in found["EscalationLateP99"]["expr"]
    assert "deriv(" in found["EscalationBacklogGrowing"]["expr"]
    assert "aftersales-readyz" in found["NotReady"]["expr"]
    assert 'status="failed"' in found["OutboxFailedGrowing"]["expr"]


def test_every_metric_a_rule_names_is_one_we_export():
    exported = {
        "aftersales_escalation_step_lateness_seconds",
        "aftersales_escalation_due_backlog",
        "aftersales_escalation_oldest_due_late_seconds",
        "aftersales_escalation_sweep_age_seconds",
        "aftersales_outbox_notifications",
        "aftersales_delivery_latency_seconds",
        "aftersales_reports_received_last_minute",
        HTTP_LATENCY._name,
    }
    for name, rule in rules().items():
        for metric in re.findall(r"aftersales_[a-z_]+", rule["expr"]):
            base = re.sub(r"_(bucket|gcount|gsum|count|sum)$", "", metric)
            assert base in exported, (name, metric)
