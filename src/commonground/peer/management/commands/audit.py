from django.core.management.base import BaseCommand, CommandError

from commonground.peer import audit


class Command(BaseCommand):
    help = "The workspace's audit trail: `audit verify` checks every record of the hash chain."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, action, **options):
        result = audit.verify()
        if not result.ok:
            raise CommandError(f"The audit trail is broken: {result.problem} ({result.checked:,} records checked "
                               "before it).")
        self.stdout.write(f"The audit trail is whole: {result.checked:,} records, every link checked.")
