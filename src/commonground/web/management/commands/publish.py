from django.core.management.base import BaseCommand

from commonground.meetings.models import DataVersion
from commonground.web.publishing import publish_current


class Command(BaseCommand):
    help = "Build the published feed and the search index for the current data version (if not built yet)."

    def handle(self, *args, **options):
        version = publish_current()
        if options["verbosity"] > 1:
            self.stdout.write(f"Published {DataVersion.label(version)}.")
