from django.contrib import admin
from django.http import HttpRequest

from frontline.org.models import Region, Unit


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin[Region]):
    list_display = ("code", "name", "level", "is_functional_zone", "is_active")
    search_fields = ("code", "name")
    list_filter = ("level", "is_functional_zone", "is_active")
    show_full_result_count = False

    def has_change_permission(self, request: HttpRequest, obj: Region | None = None) -> bool:
        return False  # edited through Frontline's region pages, which audit every change

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Region | None = None) -> bool:
        return False


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin[Unit]):
    """Units are edited through the Frontline pages (which keep paths and audit); the admin only reads."""

    list_display = ("name", "kind", "parent", "region")
    search_fields = ("name",)

    def has_change_permission(self, request: HttpRequest, obj: Unit | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Unit | None = None) -> bool:
        return False
