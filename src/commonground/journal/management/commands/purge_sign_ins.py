"""``commonground purge_sign_ins``: delete what sign-ins leave behind once it no longer counts.

Run it on the scheduler, beside ``sync`` (docs/deploy.md). It deletes django-axes' attempt
records older than the lock-out cool-off (they no longer lock anyone out), any failure or access
log rows older than that (none are written now; older versions kept them forever), and expired
sessions. A flood of sign-ins under made-up usernames so leaves at most a cool-off's worth of rows.
"""

from __future__ import annotations

from axes.helpers import get_cool_off
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand
from django.utils import timezone


class Command(BaseCommand):
    help = "Delete sign-in attempts older than the lock-out cool-off, and expired sessions."

    def handle(self, *args, **options):
        threshold = timezone.now() - get_cool_off()
        counts = {
            model.__name__: model.objects.filter(attempt_time__lt=threshold).delete()[0]
            for model in (AccessAttempt, AccessFailureLog, AccessLog)
        }
        SessionStore.clear_expired()
        if options["verbosity"]:
            self.stdout.write(", ".join(f"{name}: {count} deleted" for name, count in counts.items()))
