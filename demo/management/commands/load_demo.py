"""Load the demo organisation and a few dozen incidents at every stage (demo only).

Idempotent: if the demo marker user (``dispatcher``) exists, nothing is created and the
demo logins are printed again. Every incident is built through ``incidents.services`` with
past ``now`` values, so the timelines, deadlines and directives are exactly what the live
system would have produced.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from demo import assessments as assessments_demo
from demo import customers as customers_demo
from demo import data
from demo import dispatch as dispatch_demo
from demo import field as field_demo
from demo import messaging as messaging_demo
from demo import privacy as privacy_demo
from demo import regulatory as regulatory_demo
from demo import spareparts as spareparts_demo
from demo import tracking as tracking_demo
from demo import vehicles as vehicles_demo
from demo.incidents import DemoBuilder
from escalation import services as escalation_services


class Command(BaseCommand):
    help = "Load a fictional after-sales organisation and demo incidents (DEMO ONLY)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load even when DJANGO_ENV=production (creates logins with a known password).",
        )

    def handle(self, *args, **options):
        if settings.PRODUCTION and not options["allow_production"]:
            raise CommandError(
                "Refusing to load demo logins with a known password in "
                "production; pass --allow-production if you really mean it."
            )
        User = get_user_model()
        if User.objects.filter(username=data.DEMO_MARKER_USERNAME).exists():
            self.stdout.write(
                "Demo data already loaded (user 'dispatcher' exists); nothing created."
            )
            self._print_logins()
            return
        now = timezone.now()
        with transaction.atomic():
            org = DemoBuilder(now).build()
            self._load_other_apps(org)
        # Clocks still running now may have missed steps while the cases were "happening":
        # catch them up once here, as the sweep would after an outage (the highest missed
        # step fires, the rest are superseded), so the first sweep after start is quiet.
        caught_up = escalation_services.escalate_due(now=now)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded: {len(org['teams'])} teams, {len(org['users'])} people, "
                f"{org['incident_count']} incidents, {caught_up} overdue escalation steps "
                "caught up."
            )
        )
        self._print_logins()

    def _load_other_apps(self, org: dict) -> None:
        public = {
            k: org[k]
            for k in (
                "hq",
                "tech",
                "cs",
                "logistics",
                "legal",
                "service_centre",
                "service_centre_2",
                "commander",
                "deputies",
                "technicians",
            )
        }
        spareparts_demo.load(public)
        assessments_demo.load()
        customers_demo.load()  # consents, opt-outs, a pair of duplicates
        privacy_demo.load()
        vehicles_demo.load()
        dispatch_demo.load()  # where the teams are, skills, the roster
        regulatory_demo.load()  # after the vehicles: its alarms find them
        tracking_demo.load()
        messaging_demo.load()  # after the others: their incidents' messages exist
        field_demo.load()  # the phones' positions and synced actions
        # What the beat's sweep would have done by now for the clocks the loaders above
        # started in the past (the NEV fire's reports): the first sweep after start then
        # has nothing to catch up.
        escalation_services.escalate_due(now=timezone.now())

    def _print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(
            self.style.WARNING(
                "DEMO ONLY: these logins share a published password. Never load the demo data "
                "on a real deployment."
            )
        )
        self.stdout.write(f"  password for every demo login: {data.DEMO_PASSWORD}")
        for username in data.DEMO_LOGINS:
            name_zh, pinyin, roles, memberships = data.PEOPLE[username]
            where = memberships[0][2] if memberships else "REST API client"
            self.stdout.write(f"  {username:<12} {roles[0]:<12} {name_zh} {pinyin}: {where}")
        self.stdout.write(f"  {'admin':<12} {'superuser':<12} Django admin at /admin/")
