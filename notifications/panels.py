"""What notifications add to the incident page (incidents.extensions.detail_panels)."""


def incident_panel(request, incident):
    """incidents.extensions.detail_panels: who was told, when, on which channel, delivered?
    One line per step; a run of reminders is one line with a count."""
    told = list(
        incident.notifications.select_related("user", "endpoint").order_by("created_at", "id")[:500]
    )
    if not told:
        return None
    return "notifications/panel.html", {"lines": told_lines(told)}


def told_lines(told) -> list[dict]:
    from escalation import labels

    steps: dict[str, dict] = {}
    for n in told:
        line = steps.setdefault(
            n.step,
            {
                "step": n.step,
                "reminder": bool((n.params or {}).get("reminder")),
                "first": n.created_at,
                "last": n.created_at,
                "who": [],
                "rows": [],
                "count": 1,
            },
        )
        line["last"] = n.created_at
        name = (n.user.get_full_name() or n.user.username) if n.user else ""
        if n.endpoint:
            name = f"{name} · {n.endpoint.name}" if name else n.endpoint.name
        if name and name not in line["who"]:
            line["who"].append(name)
        line["rows"].append(n)
    lines: list[dict] = []
    for line in steps.values():
        prev = lines[-1] if lines else None
        target = line["step"].partition(":")[0]
        if (
            line["reminder"]
            and prev is not None
            and prev["reminder"]
            and prev["step"].partition(":")[0] == target
        ):
            prev["count"] += 1
            prev["last"] = line["last"]
            prev["rows"] += line["rows"]
            prev["who"] += [w for w in line["who"] if w not in prev["who"]]
            continue
        lines.append(line)
    for line in lines:
        target = line["step"].partition(":")[0]
        if line["reminder"] and line["count"] > 1:
            line["label"] = f"{labels.target_label(target)}, {labels.reminders(line['count'])}"
        else:
            line["label"] = labels.step_key_label(line["step"], reminder=line["reminder"])
        rows = line["rows"]
        line["delivered"] = sum(r.status == "delivered" for r in rows)
        line["failed"] = sum(r.status == "failed" for r in rows)
        line["pending"] = len(rows) - line["delivered"] - line["failed"]
        line["channels"] = sorted({str(r.get_channel_display()) for r in rows})
    return lines
