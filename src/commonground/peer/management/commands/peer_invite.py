import secrets

from django.core.management.base import BaseCommand

from commonground.peer.models import Invitation, invitation_hash


class Command(BaseCommand):
    help = "Print a one-time invitation code that lets someone set up a new organisation at /peer/setup."

    def handle(self, *args, **options):
        code = secrets.token_urlsafe(18)
        Invitation.objects.create(code_hash=invitation_hash(code))
        self.stdout.write(code)
