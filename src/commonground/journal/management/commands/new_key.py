from django.core.management.base import BaseCommand

from commonground.journal.crypto import new_key


class Command(BaseCommand):
    help = "Print a new random key for the companion's private data (for COMPANION_KEYS)."

    def handle(self, *args, **options):
        self.stdout.write(new_key())
