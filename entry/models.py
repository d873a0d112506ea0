"""Entry into the pathway: the person, the common diagnostic, the orientation and access requests."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from entry.identity import mask_nir, name_key, nir_hash, phonetic
from relais import secrets
from relais.text import fold

RSA_ORIENTATION_DELAY = timedelta(weeks=6)  # décret 2024-1244
CONTRACT_DELAY_MONTHS = 1  # Code du travail, art. D5411-14-1


class PathwayType(models.TextChoices):
    """The three pathways of the national orientation criteria."""

    PROFESSIONAL = "professional", "professionnel"
    SOCIO_PROFESSIONAL = "socio_professional", "socio-professionnel"
    SOCIAL = "social", "social"


class PersonQuerySet(models.QuerySet):
    def visible_to(self, membership):
        """``Person.objects.visible_to(membership)``: the rule of entry.access, for views and the API alike."""
        from entry.access import persons_visible_to  # access imports this module

        return persons_visible_to(membership, self)


class Person(models.Model):
    """A person accompanied. Every identity field lives here, and only here."""

    class Sex(models.TextChoices):
        FEMALE = "F", "femme"
        MALE = "M", "homme"

    class HouseholdRole(models.TextChoices):
        APPLICANT = "applicant", "demandeur"
        PARTNER = "partner", "conjoint"

    class EntrySource(models.TextChoices):
        PROFESSIONAL = "professional", "saisie par un professionnel"
        CAF = "caf", "flux CAF / MSA (RSA)"
        FRANCE_TRAVAIL = "france_travail", "flux France Travail"
        IMPORT = "import", "import d'un partenaire"
        SELF = "self", "la personne elle-même"

    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    birth_name = models.CharField("nom de naissance", max_length=150)
    usage_name = models.CharField("nom d'usage", max_length=150, blank=True)
    first_names = models.CharField("prénoms", max_length=200)
    birth_date = models.DateField("date de naissance")
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices, blank=True)
    nir_encrypted = models.TextField("NIR chiffré", blank=True, editable=False)
    nir_digest = models.CharField("empreinte du NIR", max_length=64, blank=True, editable=False)
    caf_number = models.CharField("numéro d'allocataire CAF", max_length=20, blank=True)
    france_travail_id = models.CharField("identifiant France Travail", max_length=20, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    address = models.CharField("adresse", max_length=255, blank=True)
    commune = models.ForeignKey(
        "territory.Commune", verbose_name="commune", on_delete=models.PROTECT, related_name="persons"
    )
    household_role = models.CharField("rôle dans le foyer", max_length=20, choices=HouseholdRole.choices, blank=True)
    rsa_since = models.DateField("bénéficiaire du RSA depuis le", null=True, blank=True)
    jobseeker_registered = models.BooleanField("inscrit à France Travail", default=False)
    rqth = models.BooleanField("reconnaissance de la qualité de travailleur handicapé (RQTH)", default=False)
    entry_date = models.DateField("date d'entrée", default=timezone.localdate)
    entry_source = models.CharField(
        "origine de l'entrée", max_length=20, choices=EntrySource.choices, default=EntrySource.PROFESSIONAL
    )
    objects_to_sharing = models.BooleanField("s'oppose au partage", default=False)
    # Matching keys, derived from the identity on save.
    name_search = models.CharField(max_length=400, editable=False, db_index=True)
    last_name_prefix = models.CharField(max_length=3, editable=False)
    last_name_suffix = models.CharField(max_length=3, editable=False)
    last_name_phonetic = models.CharField(max_length=12, editable=False)
    usage_name_phonetic = models.CharField(max_length=12, editable=False, blank=True)
    departement = models.CharField("département", max_length=3, default="91")
    merged_into = models.ForeignKey(
        "self", verbose_name="fusionnée dans", on_delete=models.PROTECT, null=True, blank=True, related_name="merged"
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_for = models.ForeignKey(
        "accounts.Structure", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField("version", default=1)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = "personne accompagnée"
        verbose_name_plural = "personnes accompagnées"
        ordering = ["birth_name", "first_names"]
        constraints = [
            models.UniqueConstraint(
                fields=["nir_digest"],
                condition=~Q(nir_digest="") & Q(merged_into__isnull=True),
                name="person_unique_nir",
            ),
        ]
        indexes = [
            models.Index(fields=["birth_date"]),
            models.Index(fields=["last_name_prefix"]),
            models.Index(fields=["last_name_suffix"]),
            models.Index(fields=["last_name_phonetic"]),
            models.Index(fields=["usage_name_phonetic"]),
            models.Index(fields=["caf_number"]),
            models.Index(fields=["france_travail_id"]),
            models.Index(fields=["commune", "entry_date"]),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        birth_key = fold(self.birth_name).replace(" ", "")
        self.name_search = name_key(self.birth_name, self.usage_name, self.first_names)
        self.last_name_prefix = birth_key[:3]
        self.last_name_suffix = birth_key[-3:]
        self.last_name_phonetic = phonetic(self.birth_name)
        self.usage_name_phonetic = phonetic(self.usage_name) if self.usage_name else ""
        super().save(*args, **kwargs)

    @property
    def last_name(self):
        return self.usage_name or self.birth_name

    @property
    def full_name(self):
        name = self.last_name.upper()
        if self.usage_name and fold(self.usage_name) != fold(self.birth_name):
            name = (
                f"{name} (née {self.birth_name.upper()})" if self.sex == "F" else f"{name} ({self.birth_name.upper()})"
            )
        return f"{name} {self.first_names}"

    @property
    def age(self):
        today = timezone.localdate()
        return (
            today.year
            - self.birth_date.year
            - ((today.month, today.day) < (self.birth_date.month, self.birth_date.day))
        )

    @property
    def is_young(self):
        return self.age < 26

    @property
    def is_rsa(self):
        return self.rsa_since is not None

    @property
    def nir(self):
        return secrets.decrypt(self.nir_encrypted)

    @property
    def nir_masked(self):
        return mask_nir(self.nir)

    def set_nir(self, value):
        self.nir_encrypted = secrets.encrypt(value) if value else ""
        self.nir_digest = nir_hash(value) if value else ""

    @property
    def orientation_due_on(self):
        """RSA: six weeks after entry (décret 2024-1244)."""
        return self.entry_date + RSA_ORIENTATION_DELAY if self.is_rsa else None


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
    # Health and RQTH answers: visible to the author's structure and the référent only.
    sensitive_answers = models.JSONField("réponses sensibles", default=dict)
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


class Orientation(models.Model):
    """An orientation decision; a réorientation is a new Orientation, the history stays."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "proposée"
        DECIDED = "decided", "décidée"
        NOTIFIED = "notified", "notifiée"
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
        ]

    def __str__(self):
        return f"Orientation de {self.person} ({self.get_status_display()})"

    @property
    def differs_from_proposal(self):
        return bool(self.pathway_type) and self.pathway_type != self.proposed_pathway


class AccessRequest(models.Model):
    """A professional who found a person outside their need-to-know asks to join the team."""

    class Status(models.TextChoices):
        PENDING = "pending", "en attente"
        GRANTED = "granted", "accordée"
        REFUSED = "refused", "refusée"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="access_requests")
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


class PersonMerge(models.Model):
    """Two records of the same person merged by a coordinator: what moved, so that it can be undone."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_received")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_done")
    moved = models.JSONField("objets déplacés", default=dict)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField("fusionnée le", default=timezone.now)
    undone_at = models.DateTimeField("annulée le", null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "fusion de dossiers"
        ordering = ["-merged_at"]

    def __str__(self):
        return f"Fusion de {self.merged} dans {self.survivor}"
