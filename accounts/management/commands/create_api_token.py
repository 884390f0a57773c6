from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.services import create_api_key


class Command(BaseCommand):
    help = "Create an API key for USERNAME and print it (only the key, once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--read-only", action="store_true", help="GET/HEAD/OPTIONS only.")
        parser.add_argument(
            "--expires-days",
            type=int,
            default=None,
            help="Expire the key after N days (default: never).",
        )
        parser.add_argument("--name", default="command line", help="A label for the key.")

    def handle(self, *args, username, read_only, expires_days, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        try:
            _api_key, raw = create_api_key(
                user, name=name, read_only=read_only, expires_in_days=expires_days
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(raw)
