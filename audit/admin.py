from django.contrib import admin

from audit.models import AccessLog, ChangeLog


class ReadOnlyAdmin(admin.ModelAdmin):
    """The journals are read-only, even for technical admins."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "structure", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    list_select_related = ["user", "structure"]


@admin.register(ChangeLog)
class ChangeLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "structure", "action", "object_type", "object_label"]
    list_filter = ["action", "object_type"]
    list_select_related = ["user", "structure"]
