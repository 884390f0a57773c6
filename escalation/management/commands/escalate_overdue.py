from django.core.management.base import BaseCommand

from escalation.services import escalate_due


class Command(BaseCommand):
    help = "Run one escalation sweep: fire every escalation step that is due now."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=None)

    def handle(self, *args, batch_size=None, **options):
        fired = escalate_due(batch_size=batch_size)
        self.stdout.write(f"fired {fired} escalation step(s)")
