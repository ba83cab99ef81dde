from django.contrib import admin

from commonground.catalog.models import Program


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "approach", "spiritual_content", "moud", "online", "status", "order")
    list_filter = ("approach", "spiritual_content", "moud", "online", "status", "dual_diagnosis")
    search_fields = ("code", "name", "short_name", "summary")
    ordering = ("order",)
    readonly_fields = ("data_hash", "loaded_at")
