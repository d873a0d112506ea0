"""The carnet (Pathway) of a person: its facts and deadlines, its team, its référent unique, access requests."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

RSA_ORIENTATION_DELAY = timedelta(weeks=6)  # CASF art. D262-65-2 (décret 2024-1244)
CONTRACT_DELAY_MONTHS = 1  # Code du travail, art. D5411-14-1


class PathwayType(models.TextChoices):
    """The three pathways of the national orientation criteria."""

    PROFESSIONAL = "professional", "professionnel"
    SOCIO_PROFESSIONAL = "socio_professional", "socio-professionnel"
    SOCIAL = "social", "social"


# What each pathway means, as the national decision chart puts it.
PATHWAY_DESCRIPTIONS = {
    PathwayType.PROFESSIONAL: "parcours professionnel (emploi)",
    PathwayType.SOCIO_PROFESSIONAL: "parcours socio-professionnel (global)",
    PathwayType.SOCIAL: "parcours social (remobilisation)",
}


class EntrySource(models.TextChoices):
    PROFESSIONAL = "professional", "saisie par un professionnel"
    CAF = "caf", "flux CAF / MSA (RSA)"
    FRANCE_TRAVAIL = "france_travail", "flux France Travail"
    IMPORT = "import", "import d'un partenaire"
    SELF = "self", "la personne elle-même"


def orientation_due_on(person, entered_at, rsa_informed_on=None):
    """When the orientation of a person on RSA is due: six weeks (CASF art. D262-65-2, as written by décret
    n° 2024-1244 of 30 December 2024) from the day the Département *received the information* that the right
    opened, from the CAF or MSA flow or typed by a professional; the entry date when that day is not known.
    Not from the day the record was created. Once passed, France Travail orients the person. None for a person
    not on RSA: no legal delay."""
    if not person.is_rsa:
        return None
    return (rsa_informed_on or entered_at) + RSA_ORIENTATION_DELAY


class ExitReason(models.TextChoices):
    """Why a person leaves the pathway."""

    DURABLE_EMPLOYMENT = "durable_employment", "emploi durable"
    TRAINING = "training", "formation"
    MOVED_AWAY = "moved_away", "déménagement hors du département"
    END_OF_RIGHTS = "end_of_rights", "fin de droits"
    OTHER = "other", "autre motif"


class Pathway(models.Model):
    class Status(models.TextChoices):
        ENTERED = "entered", "entré dans le parcours"
        ORIENTED = "oriented", "orienté"
        ACCOMPANIED = "accompanied", "accompagné"
        EXITED = "exited", "sorti"
        ARCHIVED = "archived", "archivé"

    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    person = models.OneToOneField("people.Person", on_delete=models.CASCADE, related_name="pathway")
    status = models.CharField("état", max_length=20, choices=Status.choices, default=Status.ENTERED)
    pathway_type = models.CharField("type de parcours", max_length=20, choices=PathwayType.choices, blank=True)
    entered_at = models.DateField("date d'entrée", default=timezone.localdate)
    entry_source = models.CharField(
        "origine de l'entrée", max_length=20, choices=EntrySource.choices, default=EntrySource.PROFESSIONAL
    )
    # RSA: the day the Département received the information that the right opened (CAF/MSA flow, or typed); the
    # orientation delay runs from it (``orientation_due_on``).
    rsa_informed_on = models.DateField(
        "information de l'ouverture du droit au RSA reçue le",
        null=True,
        blank=True,
        help_text="Vide : la date d'entrée.",
    )
    orientation_due_on = models.DateField("orientation attendue avant le", null=True, blank=True)
    oriented_at = models.DateTimeField("orienté le", null=True, blank=True)
    contract_due_on = models.DateField("contrat d'engagement attendu avant le", null=True, blank=True)
    referent_structure = models.ForeignKey(
        "accounts.Structure",
        verbose_name="organisme référent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referred_pathways",
        db_index=False,  # led by the index on (referent_structure, status)
    )
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="référent unique",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referred_pathways",
        db_index=False,  # led by the index on (referent, status)
    )
    exit_reason = models.CharField("motif de sortie", max_length=30, choices=ExitReason.choices, blank=True)
    exit_detail = models.CharField("précision sur la sortie", max_length=200, blank=True)
    exited_on = models.DateField("sorti le", null=True, blank=True)
    departement = models.CharField("département", max_length=3, default="91")
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    class Meta:
        verbose_name = "parcours"
        verbose_name_plural = "parcours"
        constraints = [
            # An accompanied person has exactly one référent: the column holds one, and it cannot be empty.
            models.CheckConstraint(
                condition=~Q(status="accompanied") | (Q(referent__isnull=False) & Q(referent_structure__isnull=False)),
                name="pathway_accompanied_has_referent",
            ),
            # A person who left the pathway left it on a date, for a reason.
            models.CheckConstraint(
                condition=~Q(status="exited") | (~Q(exit_reason="") & Q(exited_on__isnull=False)),
                name="pathway_exited_has_reason_and_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "orientation_due_on"]),
            # The worklist's « Contrat d'engagement attendu », soonest first.
            models.Index(
                fields=["contract_due_on"], condition=Q(contract_due_on__isnull=False), name="pathway_contract_due"
            ),
            models.Index(fields=["referent_structure", "status"]),
            models.Index(fields=["referent", "status"]),
            # The orientation worklist's counters, each read from its index alone (the person is in it, so that the
            # few merged records are left out without reading the table): the people to orient, by deadline…
            models.Index(
                fields=["departement", "orientation_due_on", "person"],
                condition=Q(status="entered"),
                name="pathway_to_orient",
            ),
            # … and those oriented or accompanied whose contrat d'engagement is awaited.
            models.Index(
                fields=["departement", "contract_due_on", "person"],
                condition=Q(status__in=["oriented", "accompanied"], contract_due_on__isnull=False),
                name="pathway_contract_awaited",
            ),
        ]

    def __str__(self):
        return f"Parcours de {self.person}"

    ACTIVE_STATUSES = ("entered", "oriented", "accompanied")

    @property
    def is_active(self):
        return self.status in self.ACTIVE_STATUSES

    @property
    def exit_label(self):
        """« emploi durable », or the precision given for another reason."""
        if not self.exit_reason:
            return ""
        if self.exit_reason == ExitReason.OTHER and self.exit_detail:
            return self.exit_detail
        label = ExitReason(self.exit_reason).label
        return f"{label} ({self.exit_detail})" if self.exit_detail else label


class ReferentHistory(models.Model):
    """Every référent a pathway had, and who designated them."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="referent_history")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    structure = models.ForeignKey("accounts.Structure", on_delete=models.PROTECT, related_name="+")
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField("depuis le", default=timezone.now)
    ended_at = models.DateTimeField("jusqu'au", null=True, blank=True)
    end_reason = models.CharField("motif de fin", max_length=100, blank=True)
    handover_note = models.TextField(
        "note de passation", blank=True, help_text="Ce que le référent précédent transmet au nouveau."
    )

    class Meta:
        verbose_name = "référent successif"
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["pathway"], condition=Q(ended_at__isnull=True), name="one_active_referent_per_pathway"
            )
        ]

    def __str__(self):
        return f"{self.user} ({self.structure})"


class TeamMember(models.Model):
    """A professional in the person's team: référent or intervenant. Being in it gives need-to-know access."""

    class Role(models.TextChoices):
        REFERENT = "referent", "référent unique"
        INTERVENANT = "intervenant", "intervenant"

    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="team_memberships")
    structure = models.ForeignKey("accounts.Structure", on_delete=models.PROTECT, related_name="team_memberships")
    role = models.CharField("rôle", max_length=20, choices=Role.choices, default=Role.INTERVENANT)
    mission = models.CharField(
        "rôle dans l'accompagnement",
        max_length=150,
        blank=True,
        help_text="Ce que ce professionnel apporte à la personne : emploi, logement, santé, mobilité…",
    )
    started_at = models.DateTimeField("depuis le", default=timezone.now)
    ended_at = models.DateTimeField("jusqu'au", null=True, blank=True)
    end_reason = models.CharField("motif de fin", max_length=200, blank=True)

    class Meta:
        verbose_name = "membre de l'équipe"
        verbose_name_plural = "membres de l'équipe"
        constraints = [
            models.UniqueConstraint(
                fields=["pathway", "user"], condition=Q(ended_at__isnull=True), name="team_member_once_active"
            )
        ]
        indexes = [models.Index(fields=["user", "ended_at"]), models.Index(fields=["structure", "ended_at"])]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}"

    @property
    def role_label(self):
        """« intervenant », or « intervenant : accompagnement logement »."""
        role = self.get_role_display()
        return f"{role} : {self.mission}" if self.mission else role


class AccessRequest(models.Model):
    """A professional who found a person outside their need-to-know asks to join the team."""

    class Status(models.TextChoices):
        PENDING = "pending", "en attente"
        GRANTED = "granted", "accordée"
        REFUSED = "refused", "refusée"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="access_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    structure = models.ForeignKey("accounts.Structure", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("motif")
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField("demandée le", default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField("répondue le", null=True, blank=True)
    answer_comment = models.TextField("commentaire de la réponse", blank=True)

    class Meta:
        verbose_name = "demande d'accès"
        verbose_name_plural = "demandes d'accès"
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "requested_by"], condition=Q(status="pending"), name="one_pending_access_request"
            )
        ]

    def __str__(self):
        return f"Demande d'accès de {self.requested_by} ({self.get_status_display()})"


class Visibility(models.TextChoices):
    """Who sees a note or an event of the carnet, from the widest to the narrowest (CASF art. R263-5)."""

    PERSON = "person", "partagé avec la personne"
    TEAM = "team", "l'équipe"
    STRUCTURE = "structure", "ma structure"
    AUTHOR = "author", "moi seulement"


class TimelineEvent(models.Model):
    """One thing that happened in a person's pathway, written by the action that did it, whatever its app.

    ``kind`` is ``app.event`` (``entry.orientation_decided``); ``summary`` is plain French without sensitive
    data; ``obj_type``/``obj_id`` name the object the event is about (its public id) so that a page can link to it.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Indexed by the two indexes it leads (``Meta.indexes``), not on its own.
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="timeline", db_index=False)
    kind = models.CharField("nature", max_length=60)
    at = models.DateTimeField("date", default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="par", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_structure = models.ForeignKey(
        "accounts.Structure",
        verbose_name="pour la structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    visibility = models.CharField("visibilité", max_length=10, choices=Visibility.choices, default=Visibility.TEAM)
    summary = models.CharField("résumé", max_length=255)
    obj_type = models.CharField("type d'objet", max_length=60, blank=True)
    obj_id = models.CharField("identifiant de l'objet", max_length=64, blank=True)
    data = models.JSONField("précisions", default=dict, blank=True)

    class Meta:
        verbose_name = "événement du parcours"
        verbose_name_plural = "événements du parcours"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["person", "-at", "-id"]),
            models.Index(fields=["person", "kind", "-at"]),
        ]

    def __str__(self):
        return f"{self.summary} ({self.at:%d/%m/%Y})"


from pathway.alert_models import *  # noqa: E402,F401,F403
from pathway.appointment_models import *  # noqa: E402,F401,F403
from pathway.contract_models import *  # noqa: E402,F401,F403
from pathway.note_models import *  # noqa: E402,F401,F403
from pathway.objection_models import *  # noqa: E402,F401,F403
