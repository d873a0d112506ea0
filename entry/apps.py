from django.apps import AppConfig


class EntryConfig(AppConfig):
    name = "entry"
    verbose_name = "entrée dans le parcours"

    def ready(self):
        from entry import history  # noqa: F401  (registers the models whose changes are recorded)
