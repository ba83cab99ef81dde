"""Human summaries and a terminal progress bar for import and sync."""

from __future__ import annotations

import sys

from commonground.feeds.sync import SyncReport

SHOW_WARNINGS = 20


def progress_bar(stream=None, minimum: int = 5000):
    """A progress callback that draws only on a terminal and only for large feeds."""
    stream = stream or sys.stderr
    if not stream.isatty():
        return None

    def draw(done: int, total: int | None) -> None:
        """``total`` is None while a streamed feed is still being read; then the rows so far."""
        if total is None:
            if done >= minimum:
                stream.write(f"\r  {done:,} rows read ...")
                stream.flush()
            return
        if total >= minimum:
            stream.write(f"\r  {done:,} rows read.       \n")
            stream.flush()

    return draw


def print_report(out, report: SyncReport) -> None:
    for part in report.parts:  # a source made of others: each of them first
        print_report(out, part)
    if report.failed:
        out.write(f"{report.source}: sync failed; the meetings stored before are unchanged.")
        for error in report.errors:
            out.write(f"  {error['message']}")
        return
    verb = "would change" if report.dry_run else "synced"
    out.write(
        f"{report.source}: {verb}: {report.added} added, {report.updated} updated, {report.removed} removed, "
        f"{report.unchanged} unchanged, {report.skipped} skipped."
    )
    skipped = [w for w in report.warnings if w.skipped]
    warned = [w for w in report.warnings if not w.skipped]
    for title, items in (("Skipped rows", skipped), ("Warnings", warned)):
        if not items:
            continue
        out.write(f"{title} ({len(items)}):")
        for item in items[:SHOW_WARNINGS]:
            # row 0: not a row of a feed, but a part of a source made of others ("root 113")
            where = (f"row {item.row}" + (f" ({item.key})" if item.key else "")) if item.row else (item.key or "")
            field = f" {item.field}:" if item.field else ""
            out.write(f"  {where}{field} {item.message}")
        if len(items) > SHOW_WARNINGS:
            out.write(f"  ... and {len(items) - SHOW_WARNINGS} more (use --json for all of them)")
