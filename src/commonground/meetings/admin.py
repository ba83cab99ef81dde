from django import forms
from django.contrib import admin

from commonground.meetings.links import LinkError, web_link
from commonground.meetings.models import DataVersion, Meeting, ProblemReport, Source, SourceFormat


class SourceForm(forms.ModelForm):  # type: ignore[misc]  # Django is untyped here
    """In the admin a source's location is a public web address: never a file on this machine.

    Local files can be imported from the command line only, by someone who can read them anyway.
    Whether the address resolves to a public host is checked again on every fetch.
    """

    class Meta:
        model = Source
        exclude = ("http_validators", "failures", "next_sync_after")  # the sync's own bookkeeping

    def clean_location(self) -> str:
        location = (self.cleaned_data.get("location") or "").strip()
        if self.instance.format == SourceFormat.DEMO or self.cleaned_data.get("format") == SourceFormat.DEMO:
            return location
        try:
            link = web_link(location)
        except LinkError as exc:
            raise forms.ValidationError(
                f"Give the feed's web address (https://...): this one was refused because "
                f"{exc}. Local files can only be imported with `commonground import`."
            ) from None
        return link.href

    def clean_feedback_url(self) -> str:
        value = (self.cleaned_data.get("feedback_url") or "").strip()
        if not value:
            return value
        try:
            return web_link(value).href
        except LinkError as exc:
            raise forms.ValidationError(f"This link was refused because {exc}.") from None


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):  # type: ignore[misc]  # Django is untyped here
    form = SourceForm
    list_display = (
        "name",
        "format",
        "default_program",
        "last_status",
        "last_ok_at",
        "last_sync_at",
        "last_changed_at",
        "counts",
    )
    list_filter = ("format", "last_status", "default_program")
    search_fields = ("name", "location")
    readonly_fields = (
        "slug",
        "last_sync_at",
        "last_ok_at",
        "disconnected_at",
        "last_status",
        "last_changed_at",
        "last_error",
        "last_counts",
        "last_warnings",
        "last_feed_digest",
        "failures",
        "next_sync_after",
        "created_at",
    )

    @admin.display(description="Last counts")  # type: ignore[untyped-decorator]  # Django is untyped here
    def counts(self, obj: Source) -> str:
        c = obj.last_counts or {}
        keys = ("added", "updated", "removed", "unchanged", "skipped")
        return ", ".join(f"{k} {c[k]}" for k in keys if k in c) or "—"


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):  # type: ignore[misc]  # Django is untyped here
    list_display = ("name", "program", "weekday", "start_time", "timezone", "attendance_mode", "city", "source")
    list_filter = ("program", "attendance_mode", "weekday", "source", "temporarily_closed")
    search_fields = ("name", "group", "slug", "location", "city", "postal_code", "formatted_address")
    list_select_related = ("program", "source")
    raw_id_fields = ("source",)
    readonly_fields = ("attendance_mode", "tag_bits", "content_hash", "imported_at", "changed_at")
    show_full_result_count = False  # counting a million rows on every page view is wasted work


@admin.register(DataVersion)
class DataVersionAdmin(admin.ModelAdmin):  # type: ignore[misc]  # Django is untyped here
    list_display = ("name", "version", "changed_at")
    readonly_fields = ("name", "version", "changed_at")


@admin.register(ProblemReport)
class ProblemReportAdmin(admin.ModelAdmin):  # type: ignore[misc]  # Django is untyped here
    """Problems people reported on listings whose feed gives no feedback address: the queue."""

    list_display = ("meeting_name", "problem", "source", "created_at", "resolved")
    list_filter = ("resolved", "problem", "source")
    list_editable = ("resolved",)
    readonly_fields = ("meeting", "source", "meeting_url", "meeting_name", "problem", "details", "created_at")
