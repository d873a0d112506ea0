from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "comptes et structures"

    def ready(self):
        from accounts import history  # noqa: F401  (registers the models whose changes are recorded)
