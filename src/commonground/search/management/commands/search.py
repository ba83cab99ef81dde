import json
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from commonground.errors import error_body
from commonground.search import engine
from commonground.search.engine import SearchPage
from commonground.search.query import MODES, SORTS, QueryError, SearchQuery, parse_query
from commonground.search.results import jsonable

OPTIONS = [
    "near",
    "lat",
    "lng",
    "radius_km",
    "radius_mi",
    "starting_within",
    "now",
    "day",
    "time_from",
    "time_to",
    "tz",
    "mode",
    "approach",
    "q",
    "sort",
    "limit",
    "offset",
]
MULTI = ["program", "type", "language"]


class Command(BaseCommand):  # type: ignore[misc]  # Django is untyped here
    help = "Search meetings from the command line (the same options as /api/v1/meetings)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--near", help='ZIP code, "City, ST", "City, Country" or a city name.')
        parser.add_argument("--lat", help="Latitude (with --lng).")
        parser.add_argument("--lng", help="Longitude (with --lat).")
        parser.add_argument("--radius-km", dest="radius_km", help="Radius in km (default 25, at most 500).")
        parser.add_argument("--radius-mi", dest="radius_mi", help="Radius in miles, instead of --radius-km.")
        parser.add_argument(
            "--starting-within", dest="starting_within", help="Minutes from now (in progress: up to 10 min ago)."
        )
        parser.add_argument("--now", help="Pretend it is this time (ISO 8601 with offset).")
        parser.add_argument("--day", help="0-6 (0 = Sunday), today or tomorrow.")
        parser.add_argument("--time-from", dest="time_from", help="HH:MM in --tz.")
        parser.add_argument("--time-to", dest="time_to", help="HH:MM in --tz (may be past midnight).")
        parser.add_argument("--tz", help="Your time zone (default: the place's, else UTC).")
        parser.add_argument("--mode", choices=MODES)
        parser.add_argument("--program", action="append", help="Program code; repeat for several.")
        parser.add_argument("--approach", help="twelve-step, secular, faith-based ...")
        parser.add_argument(
            "--type", action="append", help="Meeting type tag (women, open ...); repeat to require several."
        )
        parser.add_argument("--language", action="append", help="ISO 639-1 language code.")
        parser.add_argument("--q", help="Text in the name, group, location or notes.")
        parser.add_argument("--sort", choices=SORTS)
        parser.add_argument("--limit", default="20")
        parser.add_argument("--offset")
        parser.add_argument("--json", action="store_true", help="Print JSON (the API's shape).")

    def handle(self, *args: Any, **options: Any) -> None:
        params = {name: options[name] for name in OPTIONS if options.get(name) not in (None, "")}
        params.update({name: options[name] for name in MULTI if options.get(name)})
        try:
            query = parse_query(params)
        except QueryError as exc:
            if options["json"]:
                self.stdout.write(json.dumps(error_body(400, exc.message, field=exc.field, candidates=exc.candidates)))
            else:
                self.stderr.write(f"--{exc.field.replace('_', '-')}: {exc.message}")
                for candidate in exc.candidates:
                    self.stderr.write(f"  did you mean: {candidate}")
            sys.exit(2)
        page = engine.search(query)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "count": page.count,
                        "next_offset": page.next_offset,
                        "results": [jsonable(r) for r in page.results],
                    },
                    ensure_ascii=False,
                )
            )
            return
        self._table(query, page)

    def _table(self, query: SearchQuery, page: SearchPage) -> None:
        where = f" near {query.place_label} ({query.radius_km:g} km)" if query.has_place else ""
        self.stdout.write(f"{page.count} meetings{where}; times in {query.tz}.")
        for r in page.results:
            if r["ongoing"]:
                when = "any time"
            else:
                local = r["starts_at_local"]
                soon = "in progress" if r["in_progress"] else _until(r["minutes_until_start"])
                when = f"{local:%a %H:%M} ({soon})"
            distance = f"{r['distance_km']:.1f} km" if r["distance_km"] is not None else ""
            place = r["location"]["city"] or r["location"]["formatted_address"]
            self.stdout.write(
                f"  {when:28} {r['program']['short_name']:8} {r['mode']:9} {distance:>9}  "
                f"{r['name'][:40]:40} {place[:30]}"
            )
        if page.next_offset is not None:
            self.stdout.write(f"  ... more with --offset {page.next_offset}")


def _until(minutes: int | None) -> str:
    if minutes is None:
        return ""
    if minutes < 60:
        return f"in {minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"in {hours} h {rest:02d} min" if hours < 48 else f"in {hours // 24} days"
