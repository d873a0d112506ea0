from django.apps import AppConfig


class EntryConfig(AppConfig):
    name = "entry"
    verbose_name = "entrée dans le parcours"

    def ready(self):
        from entry import actions, carnet, history  # noqa: F401  (registers the timeline kinds and the tracked models)
        from entry.merging import register_relations

        register_relations()
        carnet.register()
