from django.apps import AppConfig


class RelaisConfig(AppConfig):
    name = "relais"
    verbose_name = "Relais"
