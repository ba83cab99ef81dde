from django.core.management.base import BaseCommand

from commonground.private import crypto


class Command(BaseCommand):
    help = (
        "Re-encrypt every private value with the first key in COMPANION_KEYS. Put the new key first, "
        "keep the old ones after it, run this, then remove the old keys."
    )

    def handle(self, *args, **options):
        counts = crypto.rotate()
        current = crypto.ring().current
        total = sum(counts.values())
        for name, n in counts.items():
            self.stdout.write(f"{name}: {n:,} re-encrypted")
        self.stdout.write(f"{total:,} values now under key {current}. The older keys can be removed.")
