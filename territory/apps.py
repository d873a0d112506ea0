from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "territory"
    verbose_name = "territoire"
