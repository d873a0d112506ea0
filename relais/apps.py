import warnings

from django.apps import AppConfig


class RelaisConfig(AppConfig):
    name = "relais"
    verbose_name = "Relais"

    def ready(self):
        # django-dsfr warns on every form that this transitional setting (which Relais sets on purpose,
        # to mark optional fields as the design system now asks) will disappear in its next major version.
        warnings.filterwarnings("ignore", message="Transitional Django setting DSFR_MARK_OPTIONAL_FIELDS")
