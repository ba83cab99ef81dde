from django.contrib import admin

from commonground.meetings.models import DataVersion, Meeting, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("name", "format", "default_program", "last_status", "last_sync_at", "last_changed_at", "counts")
    list_filter = ("format", "last_status", "default_program")
    search_fields = ("name", "location")
    readonly_fields = ("last_sync_at", "last_status", "last_changed_at", "last_error", "last_counts", "last_warnings", "created_at")

    @admin.display(description="Last counts")
    def counts(self, obj):
        c = obj.last_counts or {}
        keys = ("added", "updated", "removed", "unchanged", "skipped")
        return ", ".join(f"{k} {c[k]}" for k in keys if k in c) or "—"


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("name", "program", "weekday", "start_time", "timezone", "attendance_mode", "city", "source")
    list_filter = ("program", "attendance_mode", "weekday", "source", "temporarily_closed")
    search_fields = ("name", "group", "slug", "location", "city", "postal_code", "formatted_address")
    list_select_related = ("program", "source")
    raw_id_fields = ("source",)
    readonly_fields = ("attendance_mode", "tag_bits", "content_hash", "imported_at", "changed_at")
    show_full_result_count = False  # counting a million rows on every page view is wasted work


@admin.register(DataVersion)
class DataVersionAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "changed_at")
    readonly_fields = ("name", "version", "changed_at")
