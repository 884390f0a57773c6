from django.core.management.base import BaseCommand

from incidents import timeline


class Command(BaseCommand):
    help = "Drop customers' names and phones from the diffs of old 'details changed' events."

    def handle(self, *args, **opts):
        self.stdout.write(f"{timeline.scrub_personal_diffs()} event(s) scrubbed")
