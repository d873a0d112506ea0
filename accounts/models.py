import hashlib
import secrets
import uuid

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret as siret_number

from accounts.signals import membership_deactivated
from relais.text import fold
from territory.models import Commune, Epci


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("Une adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: a professional (through memberships) or a technical admin."""

    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField("adresse électronique", unique=True)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    last_name = models.CharField("nom", max_length=150, blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField("accès à l'administration technique", default=False)
    date_joined = models.DateTimeField("inscrit le", default=timezone.now)

    class NotificationFrequency(models.TextChoices):
        IMMEDIATE = "immediate", "à chaque événement"
        DAILY = "daily", "un récapitulatif par jour"

    notification_frequency = models.CharField(
        "recevoir les notifications",
        max_length=10,
        choices=NotificationFrequency.choices,
        default=NotificationFrequency.IMMEDIATE,
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email

    def active_memberships(self):
        return (
            self.memberships.filter(is_active=True, structure__is_validated=True)
            .select_related("structure")
            .order_by("structure__name")
        )


class Structure(models.Model):
    """A partner organisation of the consortium (or one of its agencies)."""

    class Kind(models.TextChoices):
        DEPARTEMENT = "departement", "Département (direction)"
        MAISON_SOLIDARITES = "maison_solidarites", "Département – maison des solidarités"
        FRANCE_TRAVAIL = "france_travail", "France Travail"
        MISSION_LOCALE = "mission_locale", "Mission locale"
        CAP_EMPLOI = "cap_emploi", "Cap emploi"
        CCAS = "ccas", "CCAS / CIAS"
        EPCI = "epci", "Intercommunalité (EPCI)"
        ASSOCIATION = "association", "Association"
        SIAE = "siae", "Structure d'insertion par l'activité économique (SIAE)"
        OTHER = "autre", "Autre"

    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField("nom", max_length=200)
    search_name = models.CharField("nom normalisé", max_length=200, editable=False, db_index=True, default="")
    kind = models.CharField("type", max_length=30, choices=Kind.choices)
    siret = models.CharField(
        "SIRET", max_length=14, blank=True, help_text="14 chiffres. Plusieurs antennes peuvent partager un SIREN."
    )
    address = models.CharField("adresse", max_length=255, blank=True)
    commune = models.ForeignKey(
        Commune, verbose_name="commune", on_delete=models.PROTECT, related_name="structures", null=True, blank=True
    )
    # The intervention zone bounds whom the structure's orientation managers orient. The whole département
    # is said, never implied: a structure without communes or EPCI covers no one. Changing the zone or the
    # kind is validated by a coordinator (``StructureChange``).
    covers_departement = models.BooleanField("intervient sur tout le département", default=False)
    zone_communes = models.ManyToManyField(
        Commune, verbose_name="communes d'intervention", blank=True, related_name="intervening_structures"
    )
    zone_epcis = models.ManyToManyField(
        Epci, verbose_name="EPCI d'intervention", blank=True, related_name="intervening_structures"
    )
    email = models.EmailField("adresse électronique de contact", blank=True)
    phone = models.CharField("téléphone de contact", max_length=20, blank=True)
    is_validated = models.BooleanField("validée par la coordination", default=False)
    validated_at = models.DateTimeField("validée le", null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        verbose_name = "structure"
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "name"]), models.Index(fields=["siret"])]
        constraints = [
            # One request to join per SIRET waits for the coordination, even when two are sent at the same moment
            # (the action's check finds no row to lock then). Validated structures may share a SIRET: the
            # teams of one establishment, entered by a coordinator.
            models.UniqueConstraint(
                fields=["siret"],
                condition=Q(is_validated=False) & ~Q(siret=""),
                name="structure_one_pending_per_siret",
                violation_error_message="Une demande d'inscription pour ce SIRET attend déjà la validation de la "
                "coordination.",
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = fold(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.siret:
            try:
                self.siret = siret_number.validate(self.siret)
            except StdnumError:
                errors["siret"] = "Ce numéro SIRET n'est pas valide (14 chiffres et clé de contrôle)."
        if self.commune_id and self.commune.departement_id != settings.RELAIS_DEPARTEMENT:
            errors["commune"] = "Cette commune n'est pas dans le territoire du service."
        if errors:
            raise ValidationError(errors)

    @property
    def siren(self):
        return self.siret[:9] if self.siret else ""

    def validate(self, by):
        self.is_validated = True
        self.validated_at = timezone.now()
        self.validated_by = by
        self.save(update_fields=["is_validated", "validated_at", "validated_by"])

    def covers(self, commune):
        """Whether the commune lies in this structure's intervention zone. No zone covers nothing."""
        if commune is None or commune.departement_id != settings.RELAIS_DEPARTEMENT:
            return False
        if self.covers_departement:
            return True
        return self.zone_communes.filter(pk=commune.pk).exists() or (
            commune.epci_id is not None and self.zone_epcis.filter(pk=commune.epci_id).exists()
        )

    def pending_change(self):
        return self.changes.filter(status=StructureChange.Status.PENDING).first()


class StructureChange(models.Model):
    """A change of a structure's kind or intervention zone, and its validation by a coordinator.

    Both decide what the structure may do (whom its orientation managers orient, which orientations it
    receives): a structure admin's change waits, the structure keeping its kind and zone meanwhile, until a
    coordinator accepts or refuses it. A coordinator's own change is recorded accepted at once. The rows
    are the history of the structure's kind and zone.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "en attente de validation"
        ACCEPTED = "accepted", "validé"
        REFUSED = "refused", "refusé"
        WITHDRAWN = "withdrawn", "retiré par la structure"

    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField("type demandé", max_length=30, choices=Structure.Kind.choices)
    covers_departement = models.BooleanField("tout le département", default=False)
    zone_communes = models.ManyToManyField(Commune, verbose_name="communes d'intervention demandées", blank=True)
    zone_epcis = models.ManyToManyField(Epci, verbose_name="EPCI d'intervention demandés", blank=True)
    status = models.CharField("état", max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="demandé par"
    )
    requested_at = models.DateTimeField("demandé le", default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="traité par",
    )
    decided_at = models.DateTimeField("traité le", null=True, blank=True)
    decision_note = models.CharField("motif", max_length=500, blank=True)

    class Meta:
        verbose_name = "changement de type ou de zone d'une structure"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure"], condition=models.Q(status="pending"), name="structure_change_one_pending"
            )
        ]
        indexes = [models.Index(fields=["status", "requested_at"])]

    def __str__(self):
        return f"Changement de type ou de zone de {self.structure} ({self.get_status_display()})"


class OrientationPublic(models.TextChoices):
    """Who orients whom (Code du travail, L5411-5-1): the Département for RSA beneficiaries, the mission
    locale for young people, Cap emploi for disabled people, France Travail for everyone else."""

    RSA = "rsa", "bénéficiaires du RSA"
    YOUNG = "young", "jeunes de moins de 26 ans"
    DISABLED = "disabled", "personnes handicapées (RQTH)"
    OTHER = "other", "autres demandeurs d'emploi"


class Role(models.TextChoices):
    PROFESSIONAL = "professional", "professionnel"
    STRUCTURE_ADMIN = "structure_admin", "administrateur de la structure"


class Membership(models.Model):
    """A user's place in a structure. Each membership has its own role and capabilities."""

    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("rôle", max_length=20, choices=Role.choices, default=Role.PROFESSIONAL)
    job_title = models.CharField("fonction", max_length=150, blank=True)
    # Consortium-wide capabilities, granted by a coordinator, exercised when acting for this structure.
    is_orientation_manager = models.BooleanField("chargé d'orientation", default=False)
    orientation_publics = models.JSONField(
        "publics orientés", default=list, blank=True, help_text="Vide : tous les publics de la zone d'intervention."
    )
    is_coordinator = models.BooleanField("coordinateur", default=False)
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    deactivated_at = models.DateTimeField("désactivée le", null=True, blank=True)

    class Meta:
        verbose_name = "appartenance"
        ordering = ["structure__name"]
        constraints = [models.UniqueConstraint(fields=["user", "structure"], name="membership_unique_user_structure")]
        indexes = [models.Index(fields=["structure", "is_active"])]

    def __str__(self):
        return f"{self.user} – {self.structure} ({self.get_role_display()})"

    @property
    def is_structure_admin(self):
        return self.role == Role.STRUCTURE_ADMIN

    @property
    def capability_labels(self):
        labels = [self.get_role_display()]
        if self.is_orientation_manager:
            publics = [OrientationPublic(public).label for public in self.orientation_publics]
            labels.append(f"chargé d'orientation ({', '.join(publics)})" if publics else "chargé d'orientation")
        if self.is_coordinator:
            labels.append("coordinateur")
        return labels

    def deactivate(self):
        self.is_active = False
        self.deactivated_at = timezone.now()
        self.save(update_fields=["is_active", "deactivated_at"])
        membership_deactivated.send(sender=type(self), membership=self)


def _token_digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """A single-use, expiring invitation to join a structure. Only a digest of the token is stored."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField("adresse électronique")
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField("rôle", max_length=20, choices=Role.choices, default=Role.PROFESSIONAL)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("envoyée le", auto_now_add=True)
    expires_at = models.DateTimeField("expire le")
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    revoked_at = models.DateTimeField("annulée le", null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = "invitation"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["structure", "accepted_at"])]

    def __str__(self):
        return f"Invitation de {self.email} dans {self.structure}"

    @classmethod
    def issue(cls, *, email, structure, role, invited_by):
        """Create an invitation and return it with its clear token (shown once, in the email)."""
        token = secrets.token_urlsafe(32)
        invitation = cls.objects.create(
            email=email.lower(),
            structure=structure,
            role=role,
            invited_by=invited_by,
            token_digest=_token_digest(token),
            expires_at=timezone.now() + settings.RELAIS_INVITATION_VALIDITY,
        )
        return invitation, token

    @classmethod
    def find(cls, token):
        return cls.objects.select_related("structure").filter(token_digest=_token_digest(token)).first()

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self):
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired


class Throttle(models.Model):
    """Attempts counted per key: one row per account or network and per purpose, incremented atomically.

    The key is a keyed hash of the email or of the IP address: neither is kept in clear.
    """

    class Scope(models.TextChoices):
        LOGIN_EMAIL = "login_email", "connexions échouées d'un compte"
        LOGIN_IP = "login_ip", "connexions échouées d'un réseau"
        RESET_EMAIL = "reset_email", "demandes de réinitialisation pour une adresse"
        RESET_IP = "reset_ip", "demandes de réinitialisation d'un réseau"
        JOIN_IP = "join_ip", "demandes d'inscription de structures d'un réseau"

    scope = models.CharField("objet", max_length=20, choices=Scope.choices)
    digest = models.CharField("empreinte", max_length=64)
    count = models.PositiveIntegerField("tentatives", default=0)
    since = models.DateTimeField("début de la période", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "compteur de tentatives"
        constraints = [models.UniqueConstraint(fields=["scope", "digest"], name="throttle_unique_scope_digest")]

    def __str__(self):
        return f"{self.get_scope_display()} : {self.count} depuis le {self.since:%d/%m/%Y %H:%M}"


class UserNotification(models.Model):
    """A message for one professional (a référent designated, an access request answered…). Sent at once or in the
    daily digest, as the professional chose. No personal data of the person accompanied in the subject."""

    user = models.ForeignKey(User, verbose_name="destinataire", on_delete=models.CASCADE, related_name="notifications")
    subject = models.CharField("objet", max_length=200)
    body = models.TextField("contenu")
    url = models.CharField("lien", max_length=300, blank=True)
    created_at = models.DateTimeField("créée le", default=timezone.now)
    sent_at = models.DateTimeField("envoyée le", null=True, blank=True)

    class Meta:
        verbose_name = "notification d'un professionnel"
        verbose_name_plural = "notifications des professionnels"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["sent_at", "user"])]

    def __str__(self):
        return self.subject


class JoinRequest(models.Model):
    """A partner not yet on Relais asks to join, with its SIRET: the structure waits, not validated, until a
    coordinator validates it; the person who asked is then invited as its first administrator. A coordinator may
    refuse it instead (a false or mistaken request): the structure awaiting validation is removed, which frees its
    SIRET, and the request is kept with the name and SIRET asked, who refused it, when and why."""

    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    structure = models.OneToOneField(
        Structure, on_delete=models.SET_NULL, null=True, blank=True, related_name="join_request"
    )
    structure_name = models.CharField("nom de la structure demandée", max_length=200, blank=True)
    siret = models.CharField("SIRET demandé", max_length=14, blank=True)
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    email = models.EmailField("adresse électronique")
    job_title = models.CharField("fonction", max_length=150, blank=True)
    created_at = models.DateTimeField("demandée le", auto_now_add=True)
    invitation = models.ForeignKey(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="invitation"
    )
    refused_at = models.DateTimeField("refusée le", null=True, blank=True)
    refused_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="refusée par"
    )
    refusal_reason = models.TextField("motif du refus", blank=True)

    class Meta:
        verbose_name = "demande d'inscription d'une structure"
        verbose_name_plural = "demandes d'inscription de structures"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.structure_name} – {self.first_name} {self.last_name}"

    @property
    def requester(self):
        return f"{self.first_name} {self.last_name}"
