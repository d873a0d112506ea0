"""Append-only journals: who read personal data (AccessLog), who changed what (ChangeLog)."""

from django.conf import settings
from django.db import models


class AppendOnlyError(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Le journal d'audit ne peut pas être modifié.")

    def delete(self):
        raise AppendOnlyError("Le journal d'audit ne peut pas être effacé.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Le journal d'audit ne peut pas être modifié.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Le journal d'audit ne peut pas être effacé.")


class JournalEntry(AppendOnlyModel):
    """Who (user, acting for which structure) did something to which object, when."""

    at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    # Indexed by the (user, -at) index each journal has, not on its own.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="utilisateur",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
    )
    structure = models.ForeignKey(
        "accounts.Structure", verbose_name="pour la structure", on_delete=models.PROTECT, null=True, related_name="+"
    )
    object_type = models.CharField("type d'objet", max_length=100)
    object_id = models.CharField("identifiant de l'objet", max_length=64)
    object_label = models.CharField("objet", max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.get_action_display()} de {self.object_label} le {self.at:%d/%m/%Y %H:%M}"


class AccessLog(JournalEntry):
    class Action(models.TextChoices):
        VIEW = "view", "consultation"
        SEARCH = "search", "recherche"
        EXPORT = "export", "export"
        PRINT = "print", "impression"
        DOWNLOAD = "download", "téléchargement"

    action = models.CharField("action", max_length=20, choices=Action.choices)
    detail = models.CharField("précision", max_length=255, blank=True)

    class Meta:
        verbose_name = "accès à des données personnelles"
        verbose_name_plural = "accès à des données personnelles"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["user", "-at"]),
            models.Index(fields=["structure", "-at"]),
            models.Index(fields=["object_type", "object_id", "-at"]),
        ]


class ChangeLog(JournalEntry):
    class Action(models.TextChoices):
        CREATE = "create", "création"
        UPDATE = "update", "modification"
        DELETE = "delete", "suppression"

    action = models.CharField("action", max_length=10, choices=Action.choices)
    changes = models.JSONField("changements", default=dict, help_text="{champ: [avant, après]}")

    class Meta:
        verbose_name = "modification"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-at"]),
            models.Index(fields=["user", "-at"]),
        ]
