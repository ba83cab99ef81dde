import json

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from commonground.feeds import registry
from commonground.feeds.health import status
from commonground.meetings.models import Source


class Command(BaseCommand):
    help = (
        "List every source with its meetings, last good sync, last attempt and health; "
        "`sources add-registry world|bmlt-roots|FILE [--dry-run]` adds the public sources of a registry."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print one JSON array.")
        actions = parser.add_subparsers(dest="action", required=False, metavar="add-registry")
        add = actions.add_parser(
            "add-registry",
            help="Add each entry of a registry as a source (once: a second run adds nothing).",
            description="Add each entry of a registry as a source. NAME_OR_PATH is `world` (BMLT's daily "
            "export for NA world-wide, and the public Meeting Guide feeds), `bmlt-roots` (each BMLT root "
            "server read from its own server, for areas that want fresher data than a day), a registry "
            "file in the TOML format of feeds/registry/, or a JSON list shaped like BMLT's "
            "serverList.json (id, name, url). Nothing is fetched: `commonground sync` does.",
        )
        add.add_argument("registry", metavar="NAME_OR_PATH")
        add.add_argument("--dry-run", action="store_true", help="List what would be added, one line each.")

    def handle(self, *args, json: bool = False, action: str | None = None, **options):
        if action == "add-registry":
            return self.add_registry(options["registry"], options["dry_run"])
        rows = []
        for s in Source.objects.annotate(n=Count("meetings")).order_by("name"):
            rows.append(
                {
                    "name": s.name,
                    "slug": s.slug,
                    "format": s.format,
                    "countries": [c for c in s.countries.split(",") if c],
                    "registry": s.registry_key,
                    "meetings": s.n,
                    "health": s.health(),
                    "state": status(s),  # ok, stale or failing: as /api/v1/sources says
                    "status": s.last_status,
                    "failures": s.failures,
                    "next_sync_after": _iso(s.next_sync_after),
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
                + (f"\n    {r['error']}" if r["error"] and r["status"] in ("failed", "stale") else "")
                + (
                    f"\n    {r['failures']} failed sync(s) in a row; a scheduled sync waits until {r['next_sync_after']}"
                    if r["failures"] and r["next_sync_after"]
                    else ""
                )
            )

    def add_registry(self, name_or_path: str, dry_run: bool) -> None:
        try:
            lists = registry.load(name_or_path)
        except registry.RegistryError as exc:
            raise CommandError(str(exc)) from None
        done = registry.add(lists, dry_run=dry_run)
        verb = "would add" if dry_run else "added"
        for entry, name in done.added:
            where = ",".join(entry.countries) or "no country"
            unconfirmed = "  (address not confirmed by its owner: check it first)" if not entry.confirmed else ""
            self.stdout.write(f"{verb} {entry.key}  {name}  [{entry.format}, {where}]  {entry.url}{unconfirmed}")
        for entry, name in done.present:
            self.stdout.write(f"already a source: {entry.key}  {name}")
        for list_name, label, why in done.skipped:
            self.stdout.write(f"skipped {list_name}:{label}: {why}")
        self.stdout.write(
            f"{len(done.added)} {verb}, {len(done.present)} already sources, {len(done.skipped)} skipped."
            + ("" if dry_run or not done.added else " Run `commonground sync` to read them.")
        )


def _iso(value) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _dumps(rows) -> str:
    return json.dumps(rows, ensure_ascii=False)
