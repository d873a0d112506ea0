"""The DSFR form renderer, with the project's own versions of some of its templates (templates/dsfr/…)."""

from django.conf import settings
from django.utils.functional import cached_property
from dsfr.forms import DsfrDjangoTemplates


class FormRenderer(DsfrDjangoTemplates):
    @cached_property
    def engine(self):
        engine = super().engine
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [settings.BASE_DIR / "templates", *engine.engine.dirs],
                "NAME": "djangoforms",
                "OPTIONS": {},
            }
        )
