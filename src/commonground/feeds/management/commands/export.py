from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Reserved: 'export' is not yet available in this version."

    def add_arguments(self, parser):
        parser.add_argument("args", nargs="*")

    def handle(self, *args, **options):
        raise CommandError("'commonground export' is not yet available in this version.")
