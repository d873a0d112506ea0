"""Rupture alerts: an early warning that a person may be lost between two partners (``pathway.ruptures``).

An alert is opened by the computation of its rule (daily, and after each action that may change the situation),
at most once per person and rule while it is open (a unique constraint: nothing is computed twice for the same
situation). A professional takes it in charge, assigns it to a team member, or closes it with a note; when the
situation ends, the computation lifts it (« levée »). A closed alert whose rule still holds comes back after
``RELAIS_RUPTURE_REOPEN_DAYS``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

__all__ = ["Alert", "OPEN_ALERT_STATUSES"]


class Alert(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "à traiter"
        IN_PROGRESS = "in_progress", "prise en charge"
        CLOSED = "closed", "close"
        RESOLVED = "resolved", "levée (la situation a pris fin)"

    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    # Looked up through the index on (person, status), which begins with it: no index of its own.
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="alerts", db_index=False)
    rule = models.CharField("règle", max_length=40)
    # The person's commune, copied when the alert opens and kept in step (the person's update, the daily run): the
    # coordination's counts by EPCI read the open alerts alone, without joining every person of the département.
    commune = models.ForeignKey(
        "territory.Commune",
        verbose_name="commune de la personne",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        # Read through the partial index of the open alerts by commune; a commune removed from the official code
        # (a yearly event) may check the others without one.
        db_index=False,
    )
    status = models.CharField("état", max_length=20, choices=Status.choices, default=Status.OPEN)
    since = models.DateField("situation depuis le", null=True, blank=True)
    detail = models.CharField("précision", max_length=255, blank=True)
    opened_at = models.DateTimeField("ouverte le", default=timezone.now)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="confiée à",
        on_delete=models.PROTECT,
        db_index=False,  # the index on (assigned_to, status) serves it
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_structure = models.ForeignKey(
        "accounts.Structure",
        verbose_name="pour la structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="confiée par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_at = models.DateTimeField("confiée le", null=True, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="prise en charge par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    taken_at = models.DateTimeField("prise en charge le", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="close par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField("close le", null=True, blank=True)
    closing_note = models.ForeignKey(
        "pathway.Note",
        verbose_name="note de clôture",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="closed_alerts",
    )
    resolved_at = models.DateTimeField("levée le", null=True, blank=True)

    class Meta:
        verbose_name = "alerte de rupture"
        verbose_name_plural = "alertes de rupture"
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "rule"],
                condition=Q(status__in=["open", "in_progress"]),
                name="one_open_alert_per_person_and_rule",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False), name="alert_closed_has_a_date"
            ),
        ]
        # An index that begins with a foreign key serves it: the key has none of its own (``db_index=False``).
        indexes = [
            models.Index(fields=["assigned_to", "status"]),
            models.Index(fields=["person", "status"]),
            models.Index(fields=["rule", "status", "closed_at"]),
            # The counts by EPCI: the open alerts by commune and rule, read from the index alone.
            models.Index(
                fields=["commune", "rule"],
                condition=Q(status__in=["open", "in_progress"]),
                name="alert_open_by_commune",
            ),
        ]

    def __str__(self):
        from pathway.ruptures import rule_label

        return f"Alerte « {rule_label(self.rule)} » ({self.get_status_display()})"

    @property
    def is_open(self):
        return self.status in OPEN_ALERT_STATUSES


OPEN_ALERT_STATUSES = [Alert.Status.OPEN, Alert.Status.IN_PROGRESS]
