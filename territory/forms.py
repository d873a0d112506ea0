from django import forms
from django.conf import settings

from territory.models import Commune


class CommuneField(forms.ModelChoiceField):
    """A commune of the deployment's territory, chosen by INSEE code."""

    default_error_messages = {"invalid_choice": "Cette commune n'est pas dans le territoire du service."}

    def __init__(self, **kwargs):
        queryset = Commune.objects.filter(departement_id=settings.RELAIS_DEPARTEMENT)
        kwargs.setdefault("to_field_name", "code")
        super().__init__(queryset=queryset, **kwargs)

    def label_from_instance(self, commune):
        return f"{commune.name} ({commune.code})"
