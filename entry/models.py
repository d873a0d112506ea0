"""Entry into the pathway: the common diagnostic, the orientation proposal and decision, the commission."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from pathway.models import PathwayType
from people.models import Person


class DiagnosticReferential(models.Model):
    """A published version of the common diagnostic's referential. Past diagnostics keep their version."""

    version = models.PositiveIntegerField("version", unique=True)
    content = models.JSONField("contenu")
    published_at = models.DateTimeField("publiée le", default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField("note de version", max_length=255, blank=True)

    class Meta:
        verbose_name = "version du référentiel de diagnostic"
        verbose_name_plural = "versions du référentiel de diagnostic"
        ordering = ["-version"]

    def __str__(self):
        return f"Référentiel de diagnostic v{self.version}"


class DiagnosticQuerySet(models.QuerySet):
    def latest_for(self, person):
        return self.filter(person=person).order_by("-number").first()


class Diagnostic(models.Model):
    """One dated version of the common diagnostic of a person. A new version starts from the previous answers."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="diagnostics")
    number = models.PositiveIntegerField("version")
    referential_version = models.PositiveIntegerField("version du référentiel")
    answers = models.JSONField("réponses", default=dict)
    # Health and RQTH answers: visible to the structure that wrote them and the référent only.
    sensitive_answers = models.JSONField("réponses sensibles", default=dict)
    # Set when they were carried over from a previous version by a structure that could not see them.
    sensitive_structure = models.ForeignKey(
        "accounts.Structure",
        verbose_name="structure auteure des réponses sensibles",
        help_text="Vide : la structure qui a fait ce diagnostic.",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    comments = models.TextField("commentaires", blank=True)
    theme_comments = models.JSONField("commentaires par thème", default=dict)
    sensitive_theme_comments = models.JSONField("commentaires sensibles par thème", default=dict)
    done_at = models.DateTimeField("réalisé le", default=timezone.now)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    structure = models.ForeignKey("accounts.Structure", on_delete=models.PROTECT, related_name="+")
    previous = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    proposed_pathway = models.CharField("orientation proposée", max_length=20, choices=PathwayType.choices, blank=True)
    proposal_reasons = models.JSONField("raisons de la proposition", default=list)
    proposal_sensitive = models.BooleanField("raisons sensibles (santé, handicap)", default=False)

    objects = DiagnosticQuerySet.as_manager()

    class Meta:
        verbose_name = "diagnostic"
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["person", "number"], name="diagnostic_unique_version")]

    def __str__(self):
        return f"Diagnostic n° {self.number} de {self.person}"

    @property
    def sensitive_author_structure_id(self):
        """The structure whose professional wrote the sensitive answers, which may read them."""
        return self.sensitive_structure_id or self.structure_id


class Orientation(models.Model):
    """An orientation decision; a réorientation is a new Orientation, the history stays."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "proposée"
        DECIDED = "decided", "décidée"
        NOTIFIED = "notified", "notifiée"
        REFUSED = "refused", "refusée par l'organisme référent"
        CANCELLED = "cancelled", "annulée"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="orientations")
    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField("état", max_length=20, choices=Status.choices, default=Status.PROPOSED)
    proposed_pathway = models.CharField("parcours proposé", max_length=20, choices=PathwayType.choices)
    proposal_reasons = models.JSONField("raisons de la proposition", default=list)
    proposal_sensitive = models.BooleanField("raisons sensibles (santé, handicap)", default=False)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_for = models.ForeignKey("accounts.Structure", on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField("proposée le", default=timezone.now)
    pathway_type = models.CharField("parcours décidé", max_length=20, blank=True, choices=PathwayType.choices)
    referent_structure = models.ForeignKey(
        "accounts.Structure",
        verbose_name="organisme référent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orientations_received",
    )
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="référent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_reason = models.TextField("motif de la décision", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    notified_at = models.DateTimeField("notifiée le", null=True, blank=True)
    commission = models.ForeignKey(
        "entry.Commission", on_delete=models.SET_NULL, null=True, blank=True, related_name="orientations"
    )
    is_reorientation = models.BooleanField("réorientation", default=False)
    reorientation_reason = models.TextField("motif de la demande de réorientation", blank=True)
    # The organisme référent refused the orientation (before designating a référent): the reason, and on the new
    # proposal that sends the person back to the orientation managers, the refused orientation.
    refusal_reason = models.TextField("motif du refus de l'organisme référent", blank=True)
    refused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refused_at = models.DateTimeField("refusée le", null=True, blank=True)
    refused_orientation = models.ForeignKey(
        "self",
        verbose_name="orientation refusée",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The prescriber's opinion on the orientation request, shown to the manager next to the proposal.
    opinion_pathway = models.CharField(
        "parcours préféré par le prescripteur", max_length=20, choices=PathwayType.choices, blank=True
    )
    opinion_structure = models.ForeignKey(
        "accounts.Structure",
        verbose_name="structure préférée par le prescripteur",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    opinion_wish = models.TextField("souhait de la personne", blank=True)
    opinion_comment = models.TextField("avis du prescripteur", blank=True)
    opinion_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opinion_at = models.DateTimeField("avis donné le", null=True, blank=True)

    class Meta:
        verbose_name = "orientation"
        ordering = ["-proposed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="proposed"), name="one_open_orientation_per_person"
            )
        ]
        indexes = [
            models.Index(fields=["status", "proposed_at"]),
            models.Index(fields=["referent_structure", "status"]),
            # The worklist's « Réorientations demandées »: a handful among the open proposals.
            models.Index(
                fields=["person"], condition=Q(status="proposed", is_reorientation=True), name="open_reorientation"
            ),
        ]

    def __str__(self):
        return f"Orientation de {self.person} ({self.get_status_display()})"

    @property
    def has_opinion(self):
        return bool(self.opinion_pathway or self.opinion_structure_id or self.opinion_wish or self.opinion_comment)

    @property
    def differs_from_proposal(self):
        return bool(self.pathway_type) and self.pathway_type != self.proposed_pathway


class Commission(models.Model):
    """An orientation commission session: people to review, decisions recorded in one pass, minutes."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField("intitulé", max_length=200)
    held_on = models.DateField("date de la séance")
    structure = models.ForeignKey("accounts.Structure", on_delete=models.PROTECT, related_name="commissions")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    persons = models.ManyToManyField(Person, verbose_name="personnes examinées", related_name="commissions")
    closed_at = models.DateTimeField("clôturée le", null=True, blank=True)

    class Meta:
        verbose_name = "commission d'orientation"
        verbose_name_plural = "commissions d'orientation"
        ordering = ["-held_on"]

    def __str__(self):
        return f"{self.title} du {self.held_on:%d/%m/%Y}"


class Notification(models.Model):
    """A message sent to a person or a structure (orientation notified, for instance)."""

    class Channel(models.TextChoices):
        EMAIL = "email", "courriel"
        SMS = "sms", "SMS"
        LETTER = "letter", "courrier"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notifications")
    orientation = models.ForeignKey(
        Orientation, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    channel = models.CharField("canal", max_length=10, choices=Channel.choices)
    recipient = models.CharField("destinataire", max_length=255)
    subject = models.CharField("objet", max_length=255)
    body = models.TextField("contenu")
    sent_at = models.DateTimeField("envoyée le", default=timezone.now)

    class Meta:
        verbose_name = "notification"
        ordering = ["-sent_at"]

    def __str__(self):
        return f"{self.get_channel_display()} – {self.subject}"


class DiagnosticDraft(models.Model):
    """A diagnostic in progress, kept on the server as it is typed (autosave, and a submit after the session
    expired): one per person and professional. Only its author reads it; recording the diagnostic deletes it."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="diagnostic_drafts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    structure = models.ForeignKey("accounts.Structure", on_delete=models.CASCADE, related_name="+")
    data = models.JSONField("saisie en cours", default=dict)
    saved_at = models.DateTimeField("enregistré le", default=timezone.now)

    class Meta:
        verbose_name = "brouillon de diagnostic"
        verbose_name_plural = "brouillons de diagnostic"
        constraints = [models.UniqueConstraint(fields=["person", "author"], name="one_diagnostic_draft_per_author")]

    def __str__(self):
        return f"Brouillon de diagnostic du {timezone.localtime(self.saved_at):%d/%m/%Y à %H:%M}"
