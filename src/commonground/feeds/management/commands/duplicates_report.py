"""``commonground duplicates-report``: the same meeting listed by two sources, with a score."""

import json

from django.core.management.base import BaseCommand

from commonground.meetings import duplicates, schedule
from commonground.meetings.models import Meeting


class Command(BaseCommand):
    help = (
        "List meetings that two sources both list (same program, weekday and start time, the same place "
        "or link, similar names), with a score from 0 to 1. Search and the feeds show each once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print one JSON array.")
        parser.add_argument(
            "--stored",
            action="store_true",
            help="Report the pairs stored by the last sync instead of computing them again.",
        )

    def handle(self, *args, json: bool = False, stored: bool = False, **options):
        if stored:
            pairs = [
                duplicates.Pair(primary, pk, score or 0.0, "")
                for pk, primary, score in Meeting.objects.filter(duplicate_of__isnull=False).values_list(
                    "id", "duplicate_of_id", "duplicate_score"
                )
            ]
        else:
            pairs = duplicates.find_pairs() if duplicates.sources_with_meetings() > 1 else []
        meetings = Meeting.objects.select_related("source").in_bulk(
            {p.primary for p in pairs} | {p.duplicate for p in pairs}
        )
        rows = [_row(p, meetings[p.primary], meetings[p.duplicate]) for p in sorted(pairs, key=lambda p: -p.score)]
        if json:
            self.stdout.write(_dumps(rows))
            return
        if not rows:
            self.stdout.write("No meeting is listed by two sources.")
            return
        for r in rows:
            self.stdout.write(
                f"{r['score']:.2f}  {r['when']}  [{r['program']}] matched by {r['matched_by'] or 'stored'}\n"
                f"      shown:  {r['primary']['source']}: {r['primary']['name']}  {r['primary']['url']}\n"
                f"      hidden: {r['duplicate']['source']}: {r['duplicate']['name']}  "
                f"{r['duplicate']['url']}"
            )
        self.stdout.write(f"{len(rows):,} pair(s).")


def _listing(m: Meeting) -> dict:
    return {
        "source": m.source.name,
        "name": m.name,
        "url": m.get_absolute_url(),
        "address": m.formatted_address,
        "conference_url": m.conference_url,
    }


def _row(pair, primary: Meeting, duplicate: Meeting) -> dict:
    when = f"{schedule.WEEKDAY_NAMES[primary.weekday]} {primary.start_time:%H:%M} {primary.timezone}"
    return {
        "score": pair.score,
        "matched_by": pair.reason,
        "program": primary.program_id,
        "when": when,
        "primary": _listing(primary),
        "duplicate": _listing(duplicate),
    }


def _dumps(rows) -> str:
    return json.dumps(rows, ensure_ascii=False)
