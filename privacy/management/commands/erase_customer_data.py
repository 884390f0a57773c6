from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from incidents.models import Incident
from privacy import services


class Command(BaseCommand):
    help = (
        "Erase a customer's personal data (name, phone, signature, photos) from incidents, "
        "chosen by number or id, or by the customer's exact phone or name. The incidents, "
        "their timelines and KPIs stay. Use --retention to run the retention sweep now."
    )

    def add_arguments(self, parser):
        parser.add_argument("incidents", nargs="*", help="incident numbers or ids")
        parser.add_argument("--phone", default="", help="the customer's phone, exactly")
        parser.add_argument("--name", default="", help="the customer's name, exactly")
        parser.add_argument("--reason", default="", help="why (the request's reference)")
        parser.add_argument("--dry-run", action="store_true", help="list, erase nothing")
        parser.add_argument(
            "--retention", action="store_true", help="erase what PERSONAL_DATA_RETENTION_DAYS says"
        )

    def handle(self, *args, **opts):
        if opts["retention"]:
            count = services.erase_expired()
            self.stdout.write(f"retention: {count} incident(s) erased")
            return
        incidents = self._select(opts)
        if not incidents:
            raise CommandError("no incident matches")
        for incident in incidents:
            self.stdout.write(f"{incident.number or incident.pk}")
        if opts["dry_run"]:
            self.stdout.write(f"{len(incidents)} incident(s) would be erased (dry run)")
            return
        try:
            done = services.erase_customer_data(incidents, actor=None, reason=opts["reason"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"{len(done)} incident(s) erased, {len(incidents) - len(done)} had none")

    def _select(self, opts) -> list[Incident]:
        found: dict[int, Incident] = {}
        for ref in opts["incidents"]:
            incident = Incident.objects.filter(number=ref.upper()).first()
            if incident is None and ref.isdigit():
                incident = Incident.objects.filter(pk=int(ref)).first()
            if incident is None:
                raise CommandError(f"no incident {ref}")
            found[incident.pk] = incident
        if opts["phone"] or opts["name"]:
            for incident in services.incidents_of_customer(phone=opts["phone"], name=opts["name"]):
                found[incident.pk] = incident
        return list(found.values())
