"""The territory's offer: the partners' services (data·inclusion schema v1) and the referrals of people to them.

A service belongs either to a Relais structure (it manages it) or to a structure of an imported catalogue
(``source`` names the catalogue; the service is read-only here and updated by the next import). Its search keys
(``ServiceKey``) are derived from it on every change, so that a search filters and counts with indexed rows.
A referral (« orientation vers un service », prescription) follows a closed loop, each transition recorded.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from offer import schema
from offer.indexing import search_text_for


def default_response_days():
    return settings.RELAIS_REFERRAL_RESPONSE_DAYS


class Capacity(models.TextChoices):
    """What the schema lacks and professionals ask first: can the person get in now?"""

    OPEN = "open", "places disponibles"
    WAITING_LIST = "waiting_list", "liste d'attente"
    FULL = "full", "complet"


class ExternalStructure(models.Model):
    """A structure of an imported data·inclusion catalogue, matched by SIRET to a Relais structure when it is one."""

    source = models.CharField("source", max_length=100)
    source_id = models.CharField("identifiant dans la source", max_length=255)
    name = models.CharField("nom", max_length=255)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    description = models.TextField("description", blank=True)
    address = models.CharField("adresse", max_length=255, blank=True)
    address_complement = models.CharField("complément d'adresse", max_length=255, blank=True)
    postcode = models.CharField("code postal", max_length=5, blank=True)
    commune_code = models.CharField("code INSEE de la commune", max_length=5, blank=True)
    commune_name = models.CharField("commune", max_length=200, blank=True)
    email = models.CharField("adresse électronique", max_length=254, blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    website = models.URLField("site web", max_length=500, blank=True)
    opening_hours = models.TextField("horaires d'accueil", blank=True)
    networks = models.JSONField("réseaux porteurs", default=list, blank=True)
    source_link = models.URLField("lien vers la source", max_length=500, blank=True)
    updated_on = models.DateField("mise à jour dans la source")
    structure = models.ForeignKey(
        "accounts.Structure",
        verbose_name="structure de Relais",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="external_records",
    )
    imported_at = models.DateTimeField("importée le", default=timezone.now)

    class Meta:
        verbose_name = "structure d'un catalogue importé"
        verbose_name_plural = "structures des catalogues importés"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["source", "source_id"], name="external_structure_unique_id")]
        indexes = [models.Index(fields=["siret"])]

    def __str__(self):
        return self.name


class ServiceQuerySet(models.QuerySet):
    def suspended_on(self, day):
        return self.filter(suspension_q(day))


def suspension_q(day, prefix=""):
    """Services suspended on ``day``: the suspension started, and has no end or ends on or after that day."""
    return Q(**{f"{prefix}suspended_from__lte": day}) & (
        Q(**{f"{prefix}suspended_until__isnull": True}) | Q(**{f"{prefix}suspended_until__gte": day})
    )


class Service(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "brouillon"
        PUBLISHED = "published", "publié"
        ARCHIVED = "archived", "archivé"

    Capacity = Capacity

    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    structure = models.ForeignKey(
        "accounts.Structure",
        verbose_name="structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
    )
    external_structure = models.ForeignKey(
        ExternalStructure,
        verbose_name="structure du catalogue importé",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
    )
    source = models.CharField("source", max_length=100, blank=True, help_text="Vide : service saisi dans Relais.")
    source_id = models.CharField("identifiant dans la source", max_length=255, blank=True)
    source_link = models.URLField("lien vers la source", max_length=500, blank=True)

    # data·inclusion schema v1
    name = models.CharField("nom du service", max_length=150)
    description = models.TextField("description")
    kind = models.CharField("type de service", max_length=30, choices=schema.choices(schema.TypeService), blank=True)
    thematiques = models.JSONField("thématiques", default=list)
    publics = models.JSONField("publics", default=list)
    publics_details = models.TextField("précisions sur les publics", blank=True)
    access_conditions = models.TextField("conditions d'accès et prérequis", blank=True)
    documents = models.TextField("justificatifs à fournir", blank=True)
    fees = models.CharField("frais", max_length=20, choices=schema.choices(schema.Frais), blank=True)
    fees_details = models.TextField("précisions sur les frais", blank=True)
    reception_modes = models.JSONField("modes d'accueil", default=list)
    address = models.CharField("adresse", max_length=255, blank=True)
    address_complement = models.CharField("complément d'adresse", max_length=255, blank=True)
    postcode = models.CharField("code postal", max_length=5, blank=True)
    commune = models.ForeignKey(
        "territory.Commune",
        verbose_name="commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
    )
    # An imported service may be outside the territory: its commune is kept as given.
    commune_code = models.CharField("code INSEE de la commune", max_length=5, blank=True)
    commune_name = models.CharField("nom de la commune", max_length=200, blank=True)
    opening_hours = models.TextField("horaires d'accueil", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.CharField("adresse électronique", max_length=254, blank=True)
    contact_name = models.CharField("personne à contacter", max_length=150, blank=True)
    mobilisation_link = models.URLField("lien de mobilisation", max_length=500, blank=True)
    mobilisation_modes = models.JSONField("modes de mobilisation", default=list)
    mobilisable_by = models.JSONField("mobilisable par", default=list)
    mobilisation_details = models.TextField("précisions sur la mobilisation", blank=True)
    weekly_hours = models.DecimalField(
        "volume horaire hebdomadaire", max_digits=5, decimal_places=2, null=True, blank=True
    )
    weeks = models.PositiveIntegerField("nombre de semaines", null=True, blank=True)
    zone = models.JSONField(
        "zone d'éligibilité",
        default=list,
        help_text="Codes INSEE des communes, SIREN des EPCI, codes des départements.",
    )

    # What users need beyond the schema.
    capacity = models.CharField("disponibilité", max_length=20, choices=Capacity.choices, default=Capacity.OPEN)
    places_open = models.PositiveIntegerField("places ouvertes", null=True, blank=True)
    waiting_weeks = models.PositiveSmallIntegerField("délai d'attente (semaines)", null=True, blank=True)
    response_days = models.PositiveSmallIntegerField(
        "délai de réponse à une orientation (jours)", default=default_response_days
    )

    # Lifecycle.
    status = models.CharField("état", max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField("publié le", null=True, blank=True)
    archived_at = models.DateTimeField("archivé le", null=True, blank=True)
    suspended_from = models.DateField("suspendu à partir du", null=True, blank=True)
    suspended_until = models.DateField("suspendu jusqu'au", null=True, blank=True)
    suspension_reason = models.CharField("motif de la suspension", max_length=255, blank=True)
    updated_at = models.DateTimeField(
        "mis à jour le", default=timezone.now, help_text="Dernière modification ou confirmation des informations."
    )
    confirmation_reminded_at = models.DateTimeField("rappel de confirmation envoyé le", null=True, blank=True)
    created_at = models.DateTimeField("créé le", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField("version", default=1)
    search_text = models.TextField("texte cherché", editable=False, default="")

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = "service"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(source="") & Q(structure__isnull=False))
                | (~Q(source="") & Q(external_structure__isnull=False)),
                name="service_local_or_imported",
            ),
            models.UniqueConstraint(
                fields=["source", "source_id"], condition=~Q(source=""), name="service_unique_source_id"
            ),
            models.CheckConstraint(
                condition=Q(suspended_until__isnull=True)
                | Q(suspended_from__isnull=True)
                | Q(suspended_until__gte=models.F("suspended_from")),
                name="service_suspension_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(response_days__gte=1), name="service_response_days_positive"),
        ]
        indexes = [
            models.Index(fields=["structure", "status"]),
            models.Index(fields=["status", "updated_at"]),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_text = search_text_for(self, self.provider_name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    @property
    def is_imported(self):
        return bool(self.source)

    @property
    def provider_name(self):
        """Who provides the service: the Relais structure, or the imported one."""
        if self.structure_id:
            return self.structure.name
        return self.external_structure.name if self.external_structure_id else ""

    @property
    def receiving_structure(self):
        """The Relais structure that answers referrals to this service (None: not on Relais, told by email)."""
        if self.structure_id:
            return self.structure
        return self.external_structure.structure if self.external_structure_id else None

    @property
    def contact_email(self):
        if self.email:
            return self.email
        if self.structure_id:
            return self.structure.email
        return self.external_structure.email if self.external_structure_id else ""

    def is_suspended(self, day=None):
        day = day or timezone.localdate()
        return (
            self.suspended_from is not None
            and self.suspended_from <= day
            and (self.suspended_until is None or self.suspended_until >= day)
        )

    @property
    def suspended_today(self):
        return self.is_suspended()

    @property
    def accepts_referrals(self):
        return self.status == self.Status.PUBLISHED and not self.is_suspended()

    @property
    def categories(self):
        return list(dict.fromkeys(schema.category_of(value) for value in self.thematiques))

    @property
    def thematique_labels(self):
        return [schema.thematique_label(value) for value in self.thematiques]

    @property
    def public_labels(self):
        return [schema.PUBLIC_LABELS.get(value, value) for value in self.publics]

    @property
    def reception_labels(self):
        return [schema.RECEPTION_LABELS.get(value, value) for value in self.reception_modes]

    @property
    def mobilisation_labels(self):
        return [schema.MOBILISATION_LABELS.get(value, value) for value in self.mobilisation_modes]

    @property
    def mobilisable_by_labels(self):
        return [schema.MOBILISABLE_BY_LABELS.get(value, value) for value in self.mobilisable_by]

    @property
    def weekly_hours_label(self):
        """« 3,5 » rather than « 3,50 »: the hours as a person writes them."""
        if self.weekly_hours is None:
            return ""
        return f"{self.weekly_hours.normalize():f}".replace(".", ",")

    @property
    def place(self):
        """The address in one line: « 3 rue des Écoles, 91000 Évry-Courcouronnes »."""
        town = self.commune.name if self.commune_id else self.commune_name
        parts = [part for part in (self.address, " ".join(filter(None, [self.postcode, town]))) if part]
        return ", ".join(parts)


class ServiceKey(models.Model):
    """One value a service can be found by: ``z:91228`` (zone), ``c:mobilite`` (category), ``t:…`` (thématique),
    ``p:jeunes`` (public), ``ty:atelier`` (type), ``f:gratuit`` (fees), ``m:en-presentiel`` (reception mode).

    Derived from the service on every change (``offer.search.write_keys``), for published services only; never
    edited by hand.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="keys")
    key = models.CharField("clé", max_length=120)

    class Meta:
        verbose_name = "clé de recherche d'un service"
        verbose_name_plural = "clés de recherche des services"
        constraints = [models.UniqueConstraint(fields=["service", "key"], name="service_key_unique")]
        indexes = [models.Index(fields=["key", "service"])]

    def __str__(self):
        return self.key


class RefusalReason(models.TextChoices):
    FULL = "full", "plus de place disponible"
    NOT_ELIGIBLE = "not_eligible", "la personne ne remplit pas les conditions"
    NOT_REACHABLE = "not_reachable", "la personne est injoignable"
    DUPLICATE = "duplicate", "demande en double"
    PERSON_DECLINED = "person_declined", "la personne a décliné"
    OTHER = "other", "autre motif"


class EndReason(models.TextChoices):
    PERSON_STOPPED = "person_stopped", "la personne a arrêté"
    NOT_REACHABLE = "not_reachable", "la personne est injoignable"
    NOT_SUITABLE = "not_suitable", "le service ne convenait pas"
    MOVED = "moved", "la personne a déménagé"
    OTHER = "other", "autre motif"


class Referral(models.Model):
    """A person oriented to a service by a professional of their team: the closed loop of the offer."""

    class Status(models.TextChoices):
        SENT = "sent", "envoyée"
        UNDER_REVIEW = "under_review", "en cours d'étude"
        ACCEPTED = "accepted", "acceptée"
        REFUSED = "refused", "refusée"
        STARTED = "started", "commencée"
        COMPLETED = "completed", "terminée"
        ABANDONED = "abandoned", "abandonnée"
        EXPIRED = "expired", "expirée"

    RefusalReason = RefusalReason
    EndReason = EndReason
    # Waiting for an answer of the receiving structure.
    AWAITING = (Status.SENT, Status.UNDER_REVIEW)
    # Not closed yet: one of these per person and service at most.
    OPEN = (Status.SENT, Status.UNDER_REVIEW, Status.ACCEPTED, Status.STARTED)

    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="referrals")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="prescripteur", on_delete=models.PROTECT, related_name="+"
    )
    sender_structure = models.ForeignKey(
        "accounts.Structure",
        verbose_name="structure prescriptrice",
        on_delete=models.PROTECT,
        related_name="referrals_sent",
    )
    receiver_structure = models.ForeignKey(
        "accounts.Structure",
        verbose_name="structure destinataire",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_received",
        help_text="Vide : la structure du service n'est pas sur Relais ; elle est prévenue par courriel.",
    )
    status = models.CharField("état", max_length=20, choices=Status.choices, default=Status.SENT)
    message = models.TextField("message du prescripteur", blank=True)
    share_contact = models.BooleanField("coordonnées de la personne partagées", default=False)
    share_diagnostic = models.BooleanField("freins du diagnostic partagés", default=False)
    sent_at = models.DateTimeField("envoyée le", default=timezone.now)
    due_on = models.DateField("réponse attendue au plus tard le")
    reminded_at = models.DateTimeField("relance envoyée le", null=True, blank=True)
    answered_at = models.DateTimeField("répondue le", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answer_message = models.TextField("message de réponse", blank=True)
    refusal_reason = models.CharField("motif du refus", max_length=20, choices=RefusalReason.choices, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="professionnel qui accompagne",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    started_on = models.DateField("commencée le", null=True, blank=True)
    ended_at = models.DateTimeField("close le", null=True, blank=True)
    end_reason = models.CharField("motif de l'abandon", max_length=20, choices=EndReason.choices, blank=True)
    end_detail = models.TextField("précisions sur la fin", blank=True)
    updated_at = models.DateTimeField("mise à jour le", auto_now=True)

    class Meta:
        verbose_name = "orientation vers un service"
        verbose_name_plural = "orientations vers des services"
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "service"],
                condition=Q(status__in=["sent", "under_review", "accepted", "started"]),
                name="referral_one_open_per_person_and_service",
            ),
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(refusal_reason=""), name="referral_refusal_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="abandoned") | ~Q(end_reason=""), name="referral_abandon_has_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["receiver_structure", "status", "-sent_at"]),
            models.Index(fields=["receiver_structure", "-sent_at"]),
            models.Index(fields=["sender_structure", "status", "-sent_at"]),
            models.Index(fields=["sender_structure", "-sent_at"]),
            models.Index(fields=["person", "-sent_at"]),
            models.Index(fields=["status", "due_on"]),
        ]

    def __str__(self):
        return f"Orientation vers « {self.service} » ({self.get_status_display()})"

    @property
    def is_awaiting(self):
        return self.status in self.AWAITING

    @property
    def is_open(self):
        return self.status in self.OPEN

    @property
    def outcome(self):
        """The answer in a few words: « refusée : plus de place disponible »."""
        if self.status == self.Status.REFUSED:
            return f"{self.get_status_display()} : {self.get_refusal_reason_display()}"
        if self.status == self.Status.ABANDONED:
            return f"{self.get_status_display()} : {self.get_end_reason_display()}"
        return self.get_status_display()


class ReferralTransition(models.Model):
    """Who moved a referral to which status, and when: the referral's own history."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="transitions")
    status = models.CharField("état", max_length=20, choices=Referral.Status.choices)
    at = models.DateTimeField("le", default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="par", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    by_structure = models.ForeignKey(
        "accounts.Structure",
        verbose_name="pour la structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField("précision", max_length=255, blank=True)

    class Meta:
        verbose_name = "étape d'une orientation vers un service"
        verbose_name_plural = "étapes des orientations vers des services"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["referral", "at"])]

    def __str__(self):
        return f"{self.get_status_display()} le {timezone.localtime(self.at):%d/%m/%Y}"


class UnmetSearch(models.Model):
    """A search that found nothing, counted per day, commune, thématique and public: no person, no user."""

    day = models.DateField("jour", default=timezone.localdate)
    commune_code = models.CharField("commune (code INSEE)", max_length=5, blank=True)
    thematique = models.CharField("thématique ou catégorie", max_length=120, blank=True)
    public = models.CharField("public", max_length=60, blank=True)
    count = models.PositiveIntegerField("nombre de recherches", default=0)

    class Meta:
        verbose_name = "recherche sans résultat"
        verbose_name_plural = "recherches sans résultat"
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "commune_code", "thematique", "public"], name="unmet_search_unique_per_day"
            )
        ]

    def __str__(self):
        return f"{self.day:%d/%m/%Y} {self.commune_code} {self.thematique} {self.public} ({self.count})"
