"""The person's right to object to the sharing of their carnet (CASF art. L263-4-1, décret 2023-188).

Sharing among the SPIE's partners is not based on consent: the person is informed, and may object. Each fact is
one row, never changed: the information given, an objection, its withdrawal (the day, how, who recorded it). The
current state is also kept on the person (``Person.objects_to_sharing``), written only by the actions of
``pathway.objection_actions`` in the same transaction, because the need-to-know rule reads it on every query that
lists people: a column of the row being filtered costs nothing, a subquery on this table would cost on each row.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

__all__ = ["SharingFact"]


class SharingFact(models.Model):
    class Kind(models.TextChoices):
        INFORMED = "informed", "information donnée sur le partage et le droit d'opposition"
        OBJECTED = "objected", "opposition au partage"
        WITHDRAWN = "withdrawn", "retrait de l'opposition"

    class Channel(models.TextChoices):
        LETTER = "letter", "par courrier"
        EMAIL = "email", "par courriel ou SMS"
        INTERVIEW = "interview", "en entretien"
        PHONE = "phone", "par téléphone"
        DOCUMENT = "document", "document d'information remis en main propre"
        PORTAL = "portal", "depuis son espace personnel"
        OTHER = "other", "autrement"

    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="sharing_facts")
    kind = models.CharField("nature", max_length=20, choices=Kind.choices)
    on = models.DateField("le")
    channel = models.CharField("comment", max_length=20, choices=Channel.choices)
    comment = models.TextField("commentaire", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="enregistré par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_for = models.ForeignKey(
        "accounts.Structure",
        verbose_name="pour la structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField("enregistré le", default=timezone.now)

    class Meta:
        verbose_name = "information ou opposition au partage"
        verbose_name_plural = "informations et oppositions au partage"
        ordering = ["-on", "-recorded_at", "-id"]
        indexes = [models.Index(fields=["person", "kind", "-on"])]

    def __str__(self):
        return f"{self.get_kind_display().capitalize()} le {self.on:%d/%m/%Y}"
