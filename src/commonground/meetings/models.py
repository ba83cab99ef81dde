"""The normalized meeting model that every fellowship and feed format is read into.

Data flows one way: feed -> ``Meeting`` rows (this module) -> search index -> page or API.
A meeting that happens on several weekdays is stored as one row per weekday. A meeting with no
weekday or no start time (a 24/7 e-mail group, "by appointment") is *ongoing*.
"""

from __future__ import annotations

import functools
from collections.abc import Container, Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import connections, models, router, transaction
from django.db.models import F
from django.utils import timezone as djtz
from django.utils.translation import gettext_lazy as _

from commonground import tzdb
from commonground.meetings import derive, refs, schedule, types
from commonground.meetings.conference import provider_for
from commonground.meetings.modes import AttendanceMode
from commonground.meetings.public import MeetingQuerySet

DEFAULT_DURATION_MINUTES = 60


class SourceFormat(models.TextChoices):  # type: ignore[misc]  # Django is untyped here
    MEETING_GUIDE = "meeting-guide", _("Meeting Guide JSON")
    CSV = "csv", _("TSML / Google Sheets CSV")
    BMLT = "bmlt", _("BMLT root server")
    BMLT_EXPORT = "bmlt-export", _("BMLT aggregator export")
    BMLT_EXPORT_ROOT = "bmlt-export-root", _("One root server of the BMLT export")
    FINDTREATMENT = "findtreatment", _("FindTreatment.gov export (treatment facilities)")
    DEMO = "demo", _("Synthetic demo data")


class SyncStatus(models.TextChoices):  # type: ignore[misc]  # Django is untyped here
    NEVER = "never", _("Never synced")
    OK = "ok", _("Synced")
    WARNINGS = "warnings", _("Synced with warnings")
    FAILED = "failed", _("Failed; previous data kept")
    STALE = "stale", _("Stale at its origin; meetings withheld")


class Source(models.Model):  # type: ignore[misc]  # Django is untyped here
    """Where meetings come from: a feed URL, a file, a BMLT server, or the demo generator."""

    name = models.CharField(max_length=200, unique=True)
    # The source's part of every meeting's address (/meetings/<slug>/<key>): made from the name
    # once, and kept, so meeting links survive a re-import from scratch.
    slug = models.SlugField(max_length=80, unique=True, blank=True)
    format = models.CharField(max_length=16, choices=SourceFormat.choices)
    location = models.CharField(max_length=1000, blank=True, help_text="URL or file path.")
    default_program = models.ForeignKey(
        "catalog.Program", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    default_timezone = models.CharField(max_length=64, blank=True)
    feedback_url = models.CharField(max_length=1000, blank=True)
    # Where a registry entry put it (feeds/registry): "<registry>:<id>", so adding the registry again
    # adds nothing and leaves what the operator changed since. Blank for a source added by hand.
    registry_key = models.CharField(max_length=100, blank=True)
    countries = models.CharField(max_length=200, blank=True, help_text="ISO 3166 codes it serves, comma-separated.")

    last_sync_at = models.DateTimeField(null=True, blank=True)
    last_ok_at = models.DateTimeField(null=True, blank=True, help_text="When a sync last succeeded.")
    # Set when the source has failed to sync for SOURCE_DISCONNECT_DAYS: its meetings leave search
    # and the feed (their pages stay, with a notice) until a sync succeeds again.
    disconnected_at = models.DateTimeField(null=True, blank=True)
    last_status = models.CharField(max_length=16, choices=SyncStatus.choices, default=SyncStatus.NEVER)
    last_changed_at = models.DateTimeField(null=True, blank=True, help_text="When a sync last changed meetings.")
    last_error = models.TextField(blank=True)
    last_counts = models.JSONField(default=dict, blank=True)
    last_warnings = models.JSONField(default=list, blank=True)
    # Digest of the last feed body synced in full (with the import settings), to recognise an
    # identical feed without reading its rows again.
    last_feed_digest = models.CharField(max_length=200, blank=True)
    # The servers' validators (ETag, Last-Modified) from the last good sync, by URL: sent back as a
    # conditional request, so an unchanged feed answers 304 with no body (feeds.polite).
    http_validators = models.JSONField(default=dict, blank=True)
    # Failed syncs in a row, and the time before which a scheduled sync leaves the source alone
    # (a backoff that doubles with each failure, or the server's own Retry-After).
    failures = models.PositiveIntegerField(default=0)
    next_sync_after = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["registry_key"], condition=~models.Q(registry_key=""), name="source_registry_key"
            )
        ]

    def __str__(self) -> str:
        name: str = self.name
        return name

    def health(self, now: datetime | None = None) -> str:
        """ "ok"; "failing" (no good sync for SOURCE_WARN_HOURS); or "disconnected" (see above).

        The Meeting Guide app's own policy: a warning after 72 hours, disconnected after 14 days.
        """
        from django.conf import settings

        if self.disconnected_at:
            return "disconnected"
        if self.last_status == SyncStatus.FAILED and self.last_ok_at:
            now = now or djtz.now()
            if now - self.last_ok_at > timedelta(hours=settings.SOURCE_WARN_HOURS):
                return "failing"
        return "ok"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = unique_source_slug(self.name, exclude=self.pk)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Deleting a source deletes its meetings: caches move on to a new version."""
        with transaction.atomic():
            had_meetings = self.meetings.exists()
            result: tuple[int, dict[str, int]] = super().delete(*args, **kwargs)
            if had_meetings:
                DataVersion.bump()  # its listings' duplicates elsewhere come back too: redo everything
        return result

    def clean(self) -> None:
        if self.default_timezone:
            try:
                schedule.zone(self.default_timezone)
            except ValueError as exc:
                raise ValidationError({"default_timezone": str(exc)}) from None


def unique_source_slug(name: str, exclude: int | None = None) -> str:
    from django.utils.text import slugify

    base = slugify(name)[:70] or "source"
    slug, n = base, 1
    while Source.objects.filter(slug=slug).exclude(pk=exclude).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


class Meeting(models.Model):  # type: ignore[misc]  # Django is untyped here
    # No single-column FK indexes: (program, weekday, start_time) and (source, key) start with
    # these columns already, and every extra index slows bulk imports.
    program = models.ForeignKey("catalog.Program", on_delete=models.PROTECT, related_name="meetings", db_index=False)
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="meetings", db_index=False)
    key = models.CharField(max_length=255, help_text="Stable key within the source (slug, or slug-day).")
    slug = models.SlugField(max_length=255, unique=True, allow_unicode=True, help_text="Slug in our own feed.")

    name = models.CharField(max_length=255)
    group = models.CharField(max_length=255, blank=True)
    group_notes = models.TextField(blank=True)
    notes = models.TextField(blank=True)

    # Schedule, in the meeting's own zone. Null weekday/start_time = ongoing (24/7 or by appointment).
    weekday = models.PositiveSmallIntegerField(null=True, blank=True, help_text="0 = Sunday ... 6 = Saturday.")
    start_time = models.TimeField(null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    timezone = models.CharField(max_length=64, help_text="IANA zone, e.g. America/New_York.")

    # Location.
    location = models.CharField(max_length=255, blank=True, help_text="Building or landmark name.")
    location_notes = models.TextField(blank=True)
    address = models.CharField(max_length=255, blank=True, help_text="Street address.")
    city = models.CharField(max_length=120, blank=True)
    region = models.CharField(max_length=120, blank=True, help_text="State or province.")
    postal_code = models.CharField(max_length=32, blank=True)
    country = models.CharField(max_length=64, blank=True)
    formatted_address = models.CharField(max_length=500, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    approximate = models.BooleanField(default=False, help_text="The address is only a neighbourhood or city.")
    # Where latitude/longitude came from. Only "feed" coordinates go out in our own feed; the
    # others are offline look-ups (ZIP or city centre) that let search place the meeting at all.
    coordinates_source = models.CharField(
        max_length=16,
        blank=True,
        choices=[("feed", "From the feed"), ("postal_code", "Postal-code centre"), ("city", "City centre")],
    )
    regions = models.JSONField(default=list, blank=True, help_text="Region path, general to specific.")

    # Online attendance.
    attendance_mode = models.CharField(max_length=16, choices=AttendanceMode.choices, default=AttendanceMode.IN_PERSON)
    temporarily_closed = models.BooleanField(default=False, help_text="The venue is closed for now (TC).")
    conference_url = models.CharField(max_length=1000, blank=True)
    conference_url_notes = models.TextField(blank=True)
    conference_phone = models.CharField(max_length=100, blank=True)
    conference_phone_notes = models.TextField(blank=True)

    # Types: raw codes from the program's code table, and the unified tags as a bit mask.
    types = models.JSONField(default=list, blank=True)
    tag_bits = models.BigIntegerField(default=0)
    languages = models.JSONField(default=list, blank=True, help_text="ISO 639-1 codes.")

    # Provenance.
    updated_at = models.DateTimeField(null=True, blank=True, help_text="Source's own last-updated time (UTC).")
    url = models.CharField(max_length=1000, blank=True, help_text="Listing on the source's site.")
    edit_url = models.CharField(max_length=1000, blank=True)
    feedback_url = models.CharField(max_length=1000, blank=True)
    feedback_emails = models.JSONField(default=list, blank=True)

    # Service entity and contacts (no last names: see feeds' anonymisation).
    entity = models.CharField(max_length=255, blank=True)
    entity_email = models.CharField(max_length=255, blank=True)
    entity_location = models.CharField(max_length=255, blank=True)
    entity_logo = models.CharField(max_length=1000, blank=True)
    entity_phone = models.CharField(max_length=64, blank=True)
    entity_url = models.CharField(max_length=1000, blank=True)
    contacts = models.JSONField(default=list, blank=True, help_text='[{"name", "email", "phone"}], up to 3.')
    # 7th-Tradition links and other spec fields we keep verbatim.
    extra = models.JSONField(default=dict, blank=True)

    # The same meeting listed by another source (see meetings/duplicates.py): this listing then
    # leaves search and the feeds, and its page names both sources. Set by each sync.
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates", editable=False
    )
    duplicate_score = models.FloatField(null=True, blank=True, editable=False)

    content_hash = models.CharField(max_length=40, blank=True)
    # Digest of the raw feed row this meeting came from (plus the import context). A re-sync that
    # sees the same raw digest skips parsing the row again; content_hash stays the real test.
    source_hash = models.CharField(max_length=40, blank=True)
    imported_at = models.DateTimeField(default=djtz.now)
    changed_at = models.DateTimeField(default=djtz.now)

    # Meeting.objects.public(): the listings search, the feeds, the BMLT answers and the pages
    # show (the rule is meetings/public.py's, with its SQL for raw readers).
    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["weekday", "start_time", "name"]
        constraints = [
            models.UniqueConstraint(fields=["source", "key"], name="meeting_unique_key_per_source"),
            models.CheckConstraint(
                condition=models.Q(weekday__isnull=True) | models.Q(weekday__gte=0, weekday__lte=6),
                name="meeting_weekday_0_6",
            ),
            models.CheckConstraint(condition=~models.Q(timezone=""), name="meeting_has_timezone"),
        ]
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="meeting_lat_lng"),
            models.Index(fields=["program", "weekday", "start_time"], name="meeting_program_time"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.schedule_label})"

    def get_absolute_url(self) -> str:
        """The meeting's lasting address: its source and its key there, not a database id."""
        return refs.path(self.source.slug, self.key)

    @property
    def ref(self) -> str:
        """The lasting reference, ``<source>/<key>`` (``refs.py``): what the companion and referrals keep."""
        return refs.ref(self.source.slug, self.key)

    # --- schedule -------------------------------------------------------------------------
    @property
    def is_ongoing(self) -> bool:
        return self.weekday is None or self.start_time is None

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes or DEFAULT_DURATION_MINUTES)

    @property
    def end_time(self) -> time | None:
        """Local end time; may be earlier than the start when the meeting runs past midnight."""
        if self.start_time is None or self.duration_minutes is None:
            return None
        start = datetime.combine(date(2000, 1, 2), self.start_time)
        return (start + timedelta(minutes=self.duration_minutes)).time()

    @property
    def zone(self) -> ZoneInfo:
        return schedule.zone(self.timezone)

    @property
    def schedule_label(self) -> str:
        if self.is_ongoing:
            return "ongoing"
        return f"{schedule.WEEKDAY_NAMES[self.weekday]} {self.start_time:%H:%M} {self.timezone}"

    def next_start(self, after: datetime) -> datetime | None:
        """The next start at or after ``after``, as an aware UTC datetime (RFC 5545 DST rules).

        Ongoing meetings have no start; they are available at any time, so this returns None.
        """
        if self.is_ongoing:
            return None
        return schedule.next_occurrence(self.weekday, self.start_time, self.zone, after)

    def is_in_progress(self, at: datetime) -> bool:
        if self.is_ongoing:
            return True
        start = self.next_start(at - self.duration)
        return start is not None and start <= at < start + self.duration

    # --- derived fields -------------------------------------------------------------------
    @property
    def tags(self) -> list[str]:
        return types.tags_from_bits(self.tag_bits)

    @property
    def conference_provider(self) -> str | None:
        return provider_for(self.conference_url) if self.conference_url else None

    def normalize(self) -> None:
        """Recompute everything derivable: mode, tags, hash. Importers call this before bulk saves."""
        self.normalize_with_table(self.program.type_table)

    def normalize_with_table(self, table: str) -> None:
        values = derive.derive(dict(self.__dict__), table)
        for name in ("weekday", "start_time", "temporarily_closed", "attendance_mode", "tag_bits", "content_hash"):
            setattr(self, name, values[name])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        try:
            schedule.zone(self.timezone)
        except ValueError as exc:
            errors["timezone"] = str(exc)
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            errors["latitude"] = "Latitude must be between -90 and 90."
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            errors["longitude"] = "Longitude must be between -180 and 180."
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude"] = "Give both latitude and longitude, or neither."
        if errors:
            raise ValidationError(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:
        """One meeting saved by hand (the admin): caches move on to a new version too."""
        self.normalize()
        with transaction.atomic():
            super().save(*args, **kwargs)
            DataVersion.bump(sources=[self.source_id])

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        with transaction.atomic():
            result: tuple[int, dict[str, int]] = super().delete(*args, **kwargs)
            DataVersion.bump(sources=[self.source_id])
        return result


class DataVersion(models.Model):  # type: ignore[misc]  # Django is untyped here
    """A counter bumped, in the same transaction, by every change to meeting data.

    Caches (the search index, the exported feed) remember the version they were built from and
    rebuild when it moves. This is the explicit invalidation the old meeting-guide sites lacked.
    """

    name = models.CharField(max_length=32, primary_key=True, default="meetings")
    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(default=djtz.now)

    @classmethod
    def current(cls, name: str = "meetings") -> int:
        row = cls.objects.filter(pk=name).values_list("version", flat=True).first()
        return row or 0

    @classmethod
    def bump(cls, name: str = "meetings", *, sources: Iterable[int] | None = None) -> int:
        """Increment and return the new version. Call inside the transaction that changed data.

        ``sources``: the ids of the only sources whose meetings changed, when the caller knows
        (one source synced, one meeting saved). Caches may then update just those sources' part
        (see ``DataChange``); None means anything may have changed.
        """
        from commonground.meetings.signals import data_changed

        with transaction.atomic():
            cls.objects.get_or_create(pk=name)
            # Locked, so two syncs bumping at once each name the version the other left, and
            # the chain of changes has no gap (on SQLite, writers are one at a time anyway).
            before: tuple[int, datetime] = (
                cls.objects.select_for_update().values_list("version", "changed_at").get(pk=name)
            )
            cls.objects.filter(pk=name).update(version=F("version") + 1, changed_at=djtz.now())
            after: tuple[int, datetime] = cls.objects.values_list("version", "changed_at").get(pk=name)
            DataChange.record(name, cls.label(before), cls.label(after), sources)
            transaction.on_commit(lambda: data_changed.send(sender=cls, name=name))
            return after[0]

    @staticmethod
    def label(version: tuple[int, datetime | None]) -> str:
        """A file-safe name for a (version, changed_at) pair: "v12-1764230000000-tz2026f".

        Both parts, because a restored or recreated database can repeat a counter, never both;
        then the time-zone release in use ("-tz2026f", ``commonground.tzdb``): every stored
        cache was built on its rules, so a new release names new folders and they are built again.
        """
        number, changed_at = version
        return f"v{number}-{int(changed_at.timestamp() * 1000) if changed_at else 0}-tz{tzdb.version()}"

    @classmethod
    def current_with_time(cls, name: str = "meetings") -> tuple[int, datetime | None]:
        # Every search asks this first. Written once instead of compiled by the ORM on each call
        # (that was a tenth of an API search); SQLite hands the time back naive, in UTC.
        alias = router.db_for_read(cls)
        with connections[alias].cursor() as cursor:
            cursor.execute(_version_sql(alias), [name])
            row = cursor.fetchone()
        return (row[0], stored_datetime(row[1])) if row else (0, None)


def stored_datetime(value: datetime | None) -> datetime | None:
    """A DateTimeField's value as a hand-written query returns it, made what the ORM would give:
    aware, in UTC (SQLite hands it back naive; PostgreSQL already aware)."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


@functools.cache
def _version_sql(alias: str) -> str:
    quote = connections[alias].ops.quote_name
    return (
        f"SELECT {quote('version')}, {quote('changed_at')} FROM {quote(DataVersion._meta.db_table)}"
        f" WHERE {quote('name')} = %s"
    )


class DataChange(models.Model):  # type: ignore[misc]  # Django is untyped here
    """What one data version changed: the sources touched, or everything (``sources`` null).

    A cache built for an earlier version can then be brought forward by redoing only those
    sources, when every version in between is recorded here and none of them touched everything.
    ``previous`` chains each version to the one it followed, by label, so a restored database
    whose counter repeats can never be mistaken for the chain. Only the last ``KEEP`` are kept.
    """

    KEEP = 200

    name = models.CharField(max_length=32, default="meetings")
    label = models.CharField(max_length=40)
    previous = models.CharField(max_length=40)
    sources = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=djtz.now)

    class Meta:
        indexes = [models.Index(fields=["name", "label"])]

    @classmethod
    def record(cls, name: str, previous: str, label: str, sources: Iterable[int] | None) -> None:
        listed = None if sources is None else sorted({int(s) for s in sources})
        row = cls.objects.create(name=name, label=label, previous=previous, sources=listed)
        cls.objects.filter(name=name, pk__lte=row.pk - cls.KEEP).delete()

    @classmethod
    def sources_since(cls, name: str, label: str, base_labels: Container[str]) -> tuple[str, set[int]] | None:
        """Walk back from version ``label`` to the newest of ``base_labels`` (versions whose cache
        exists): that base and the sources touched since; None when the chain breaks or a version
        in between touched everything."""
        rows = {row.label: row for row in cls.objects.filter(name=name).order_by("-pk")[: cls.KEEP]}
        touched: set[int] = set()
        for _step in range(len(rows) + 1):
            if label in base_labels:
                return label, touched
            row = rows.get(label)
            if row is None or row.sources is None:
                return None
            touched.update(row.sources)
            label = row.previous
        return None


def meeting_at(ref: str | None) -> Meeting | None:
    """The listing a reference (``refs.py``) names, with its program and source; None when it is gone
    or the text is not a reference."""
    found = refs.parse(ref)
    if found is None:
        return None
    meeting: Meeting | None = (
        Meeting.objects.select_related("program", "source").filter(source__slug=found.source, key=found.key).first()
    )
    return meeting


class ProblemReport(models.Model):  # type: ignore[misc]  # Django is untyped here
    """ "Report a problem" for a listing whose feed names no place to send it: kept for the admin.

    Only what the person writes about the listing is kept: no name, e-mail or address is asked
    for, and none is recorded (no IP address either).
    """

    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    meeting_url = models.CharField(max_length=1000, help_text="The listing's lasting address when reported.")
    meeting_name = models.CharField(max_length=255)
    problem = models.CharField(
        max_length=32,
        choices=[
            ("time", _("The day or time is wrong")),
            ("place", _("The place or link is wrong")),
            ("ended", _("The meeting has ended or moved")),
            ("other", _("Something else")),
        ],
    )
    details = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=djtz.now)
    resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ["resolved", "-created_at"]

    def __str__(self) -> str:
        return f"{self.meeting_name}: {self.get_problem_display()}"
