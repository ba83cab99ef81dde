import json

from django.core.management.base import BaseCommand
from django.db.models import Count

from commonground.meetings.models import Source


class Command(BaseCommand):
    help = "List every source with its meetings, last good sync, last attempt and health."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print one JSON array.")

    def handle(self, *args, json: bool = False, **options):
        rows = []
        for s in Source.objects.annotate(n=Count("meetings")).order_by("name"):
            rows.append(
                {
                    "name": s.name,
                    "slug": s.slug,
                    "format": s.format,
                    "meetings": s.n,
                    "health": s.health(),
                    "status": s.last_status,
                    "last_ok_at": _iso(s.last_ok_at),
                    "last_sync_at": _iso(s.last_sync_at),
                    "disconnected_at": _iso(s.disconnected_at),
                    "error": (s.last_error or "").splitlines()[0][:160] if s.last_error else "",
                    "location": s.location,
                }
            )
        if json:
            self.stdout.write(_dumps(rows))
            return
        if not rows:
            self.stdout.write("No sources yet. Add one with `commonground import FILE-OR-URL`.")
            return
        for r in rows:
            self.stdout.write(
                f"{r['name']} [{r['format']}] {r['meetings']:,} meetings · {r['health']} · "
                f"last good sync {r['last_ok_at'] or 'never'} · last attempt {r['last_sync_at'] or 'never'}"
                + (f"\n    {r['error']}" if r["error"] and r["status"] == "failed" else "")
            )


def _iso(value) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _dumps(rows) -> str:
    return json.dumps(rows, ensure_ascii=False)
