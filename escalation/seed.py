"""The default chains, seeded by migration 0002. Plain constants: migrations import this.

Every grade and target: at the deadline the responsible group's leader and the dispatcher
on duty (plus the assigned technician once there is one); 15 minutes later HQ's deputies;
15 minutes after that HQ's commander; then HQ every 30 minutes until the target is met.
Level I also alerts HQ at once on report (the ``report`` chain).
"""

GRADES = ("I", "II", "III")
REMIND_EVERY_MINUTES = 30
STEP_GAP_MINUTES = 15

FIRST_STEP = {
    "confirm": ["group_leader", "dispatcher_on_duty"],
    "arrive": ["group_leader", "dispatcher_on_duty", "assignee"],
    "resolve": ["group_leader", "dispatcher_on_duty", "assignee"],
}
TARGET_NAMES = {"confirm": "confirm", "arrive": "arrival on site", "resolve": "resolution"}


def default_chains():
    """(name, grade, target, repeat minutes, repeat audiences, [(delay, audiences), ...])."""
    chains = []
    for grade in GRADES:
        for target, first in FIRST_STEP.items():
            chains.append(
                (
                    f"Level {grade}: missed {TARGET_NAMES[target]}",
                    grade,
                    target,
                    REMIND_EVERY_MINUTES,
                    ["hq"],
                    [
                        (0, first),
                        (STEP_GAP_MINUTES, ["hq_deputies"]),
                        (2 * STEP_GAP_MINUTES, ["hq_commander"]),
                    ],
                )
            )
    chains.append(("Level I: alert HQ on report", "I", "report", None, [], [(0, ["hq"])]))
    return chains
