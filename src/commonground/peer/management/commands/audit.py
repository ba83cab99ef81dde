from django.core.management.base import BaseCommand, CommandError

from commonground.peer import audit


class Command(BaseCommand):
    help = (
        "The workspace's audit trail: `audit verify` checks every record of the keyed chain and that it "
        "reaches every signed checkpoint; `audit checkpoint` verifies, then anchors the head in the "
        "checkpoint file outside the database (run it from cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "checkpoint"])

    def handle(self, *args, action, **options):
        if action == "checkpoint":
            try:
                line = audit.checkpoint()
            except audit.CheckpointError as exc:
                raise CommandError(f"No checkpoint written: {exc}.") from None
            if line is None:
                self.stdout.write("The audit trail is empty: nothing to anchor yet.")
                return
            self.stdout.write(f"Checkpoint written to {audit.checkpoint_path()}: record {line['seq']:,}.")
            return
        result = audit.verify()
        if not result.ok:
            raise CommandError(
                f"The audit trail is broken: {result.problem} ({result.checked:,} records checked before it)."
            )
        anchored = (
            f"; it reaches the last checkpoint (record {result.anchored:,})"
            if result.anchored
            else "; no checkpoint yet (`commonground audit checkpoint` writes one)"
        )
        self.stdout.write(f"The audit trail is whole: {result.checked:,} records, every link checked{anchored}.")
