from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "imports de fichiers"

    def ready(self):
        from imports.merging import register_relations
        from pathway.timeline import register_kind

        register_relations()
        register_kind("imports.created", "import de fichier")
        register_kind("imports.updated", "import de fichier")
