"""The DSFR form renderer, with the project's own versions of some of its templates (templates/dsfr/…); Django's
plain widgets (inputs, text areas, selects) written in Python with the same markup (``relais.forms``)."""

from django.conf import settings
from django.utils.functional import cached_property
from dsfr.forms import DsfrDjangoTemplates

from relais.forms import widget_markup


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

    def render(self, template_name, context, request=None):
        markup = widget_markup(template_name, context)
        if markup is None:
            return super().render(template_name, context, request=request)
        return markup
