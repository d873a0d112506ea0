"""Notes of the carnet: what a professional writes about a person's pathway, each with who may read it.

A note is editable by its author for a short while (``RELAIS_NOTE_EDIT_WINDOW``), then fixed: a mistake is corrected
by a new note that names the one it corrects. A *contact* note records an individual contact with the person (the
day and how), which the rupture rules read. A *sensitive* note (health, disability, private or judicial life) is
never shared wider than the author's structure, and is written for its author alone unless they choose otherwise.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from pathway.models import Visibility
from relais.text import fold

__all__ = ["Note", "SENSITIVE_VISIBILITIES", "VISIBILITY_ORDER", "wider_than"]

# From the widest to the narrowest: a correction is never read by more people than the note it corrects.
VISIBILITY_ORDER = [Visibility.PERSON, Visibility.TEAM, Visibility.STRUCTURE, Visibility.AUTHOR]
# What a sensitive note may be: the author's structure at most (CASF art. R263-5, need-to-know).
SENSITIVE_VISIBILITIES = [Visibility.STRUCTURE, Visibility.AUTHOR]


def wider_than(visibility, other):
    """True when ``visibility`` lets more people read than ``other``."""
    return VISIBILITY_ORDER.index(visibility) < VISIBILITY_ORDER.index(other)


class Note(models.Model):
    class Kind(models.TextChoices):
        FOLLOW_UP = "follow_up", "note de suivi"
        CONTACT = "contact", "contact individuel avec la personne"

    class ContactMode(models.TextChoices):
        IN_PERSON = "in_person", "entretien en présence"
        PHONE = "phone", "téléphone"
        VIDEO = "video", "visioconférence"
        WRITTEN = "written", "échange écrit (courriel, SMS, courrier)"

    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField("nature", max_length=20, choices=Kind.choices, default=Kind.FOLLOW_UP)
    contact_on = models.DateField("date du contact", null=True, blank=True)
    contact_mode = models.CharField("mode de contact", max_length=20, choices=ContactMode.choices, blank=True)
    text = models.TextField("texte")
    text_search = models.TextField("texte normalisé", editable=False, default="")
    sensitive = models.BooleanField("note sensible", default=False)
    visibility = models.CharField("visible par", max_length=10, choices=Visibility.choices, default=Visibility.TEAM)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="auteur", on_delete=models.PROTECT, related_name="+"
    )
    structure = models.ForeignKey(
        "accounts.Structure", verbose_name="pour la structure", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("écrite le", default=timezone.now)
    edited_at = models.DateTimeField("modifiée le", null=True, blank=True)
    corrects = models.ForeignKey(
        "self",
        verbose_name="corrige la note",
        # A note with corrections is never deleted alone; with the person's record, all go (retention purge).
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    version = models.PositiveIntegerField("version", default=1)

    class Meta:
        verbose_name = "note"
        verbose_name_plural = "notes"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="contact") | Q(contact_on__isnull=False), name="note_contact_has_a_date"
            ),
            models.CheckConstraint(
                condition=Q(sensitive=False) | Q(visibility__in=["structure", "author"]),
                name="note_sensitive_stays_narrow",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "-created_at", "-id"]),
            models.Index(fields=["person", "kind", "contact_on"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display().capitalize()} du {timezone.localtime(self.created_at):%d/%m/%Y}"

    def save(self, *args, **kwargs):
        self.text_search = fold(self.text)
        if kwargs.get("update_fields") is not None and "text" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "text_search"}
        super().save(*args, **kwargs)

    @property
    def editable_until(self):
        return self.created_at + settings.RELAIS_NOTE_EDIT_WINDOW

    @property
    def is_fixed(self):
        return timezone.now() > self.editable_until
