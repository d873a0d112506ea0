"""The catalogue for the technical admin. Referrals (personal data) are read in Relais only, where reads are logged."""

from django.contrib import admin

from offer.models import ExternalStructure, Service, UnmetSearch


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "structure", "source", "status", "capacity", "updated_at"]
    list_filter = ["status", "capacity", "source"]
    search_fields = ["name"]
    raw_id_fields = ["structure", "external_structure", "commune", "created_by"]


@admin.register(ExternalStructure)
class ExternalStructureAdmin(admin.ModelAdmin):
    list_display = ["name", "source", "siret", "structure"]
    list_filter = ["source"]
    search_fields = ["name", "siret"]
    raw_id_fields = ["structure"]


@admin.register(UnmetSearch)
class UnmetSearchAdmin(admin.ModelAdmin):
    list_display = ["day", "commune_code", "thematique", "public", "count"]
