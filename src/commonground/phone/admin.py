from django.contrib import admin

from commonground.phone.models import CallAudit, Helpline, Shift


class ShiftInline(admin.TabularInline):
    model = Shift
    extra = 1


@admin.register(Helpline)
class HelplineAdmin(admin.ModelAdmin):
    list_display = ("name", "number", "timezone")
    inlines = [ShiftInline]


@admin.register(CallAudit)
class CallAuditAdmin(admin.ModelAdmin):
    list_display = ("at", "helpline", "shift", "tried", "outcome")
    list_filter = ("outcome", "helpline")
    readonly_fields = ("at", "call_hash", "helpline", "shift", "tried", "outcome")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
