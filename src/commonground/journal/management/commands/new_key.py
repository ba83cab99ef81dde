from django.core.management.base import BaseCommand

from commonground.keys import new_key


class Command(BaseCommand):
    help = "Print a new random key (for COMPANION_KEYS or AUDIT_KEYS)."

    def handle(self, *args, **options):
        self.stdout.write(new_key())
