from django.contrib import admin

from territory.models import Commune, Epci


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "epci", "departement"]
    search_fields = ["code", "search_name"]
    list_filter = ["departement"]


@admin.register(Epci)
class EpciAdmin(admin.ModelAdmin):
    list_display = ["siren", "name", "kind"]
    search_fields = ["siren", "name"]
