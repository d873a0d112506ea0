from django import forms
from django.conf import settings

from territory.models import Commune


class CommuneField(forms.ModelChoiceField):
    """A commune of the deployment's territory, chosen by INSEE code."""

    default_error_messages = {"invalid_choice": "Cette commune n'est pas dans le territoire du service."}

    def __init__(self, **kwargs):
        # Sorted on the name without accents: « Évry » among the E, not after « Yerres ».
        queryset = Commune.objects.filter(departement_id=settings.RELAIS_DEPARTEMENT).order_by("search_name")
        kwargs.setdefault("to_field_name", "code")
        # The list, narrowed as one types a name or a postcode (see territory.views.commune_search).
        kwargs.setdefault("template_name", "territory/commune_field.html")
        super().__init__(queryset=queryset, **kwargs)

    def label_from_instance(self, commune):
        return f"{commune.name} ({commune.code})"
