"""The person accompanied: identity, NIR (encrypted, looked up by keyed digest), contact and situation.

Every other axis points here; this app imports nothing above it (territory, accounts and audit only).
"""

import uuid

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from people.comparison import first_names_key
from people.identity import last_name_key, last_name_variants, mask_nir, name_key, nir_hash, phonetic
from people.publics import YOUNG_AGE_LIMIT
from relais import secrets
from relais.text import fold


class Person(models.Model):
    """A person accompanied. Every identity field lives here, and only here."""

    class Sex(models.TextChoices):
        FEMALE = "F", "femme"
        MALE = "M", "homme"

    class HouseholdRole(models.TextChoices):
        APPLICANT = "applicant", "demandeur"
        PARTNER = "partner", "conjoint"

    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    # Unique by a constraint rather than ``unique=True``: PostgreSQL gets the one index it is read by (equality),
    # without the second one Django adds to a unique text column for ``LIKE`` (never asked of a dossier number).
    dossier_number = models.CharField("numéro de dossier", max_length=20, editable=False)
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
    # Indexed in ``Meta.indexes``: the commune is a text key (its INSEE code), which Django would also index for
    # ``LIKE``, never asked of it.
    commune = models.ForeignKey(
        "territory.Commune",
        verbose_name="commune",
        on_delete=models.PROTECT,
        related_name="persons",
        db_index=False,
    )
    household_role = models.CharField("rôle dans le foyer", max_length=20, choices=HouseholdRole.choices, blank=True)
    rsa_since = models.DateField("bénéficiaire du RSA depuis le", null=True, blank=True)
    jobseeker_registered = models.BooleanField("inscrit à France Travail", default=False)
    rqth = models.BooleanField("reconnaissance de la qualité de travailleur handicapé (RQTH)", default=False)
    # Written only by pathway.objection_actions, with the facts it follows (pathway.objection_models.SharingFact):
    # the need-to-know rule reads it on every list of people, where a column costs nothing.
    objects_to_sharing = models.BooleanField("s'oppose au partage", default=False, editable=False)
    # Matching keys, derived from the identity on save. ``name_search`` is searched for a part of it (``contains``),
    # which no B-tree index serves: it has none, each person written or renamed maintaining two fewer.
    name_search = models.CharField(max_length=400, editable=False)
    birth_name_key = models.CharField(max_length=150, editable=False)
    usage_name_key = models.CharField(max_length=150, editable=False, blank=True)
    first_names_key = models.CharField(max_length=250, editable=False)
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

    class Meta:
        verbose_name = "personne accompagnée"
        verbose_name_plural = "personnes accompagnées"
        ordering = ["birth_name", "first_names"]
        constraints = [
            models.UniqueConstraint(fields=["dossier_number"], name="person_unique_dossier_number"),
            models.UniqueConstraint(
                fields=["nir_digest"],
                condition=~Q(nir_digest="") & Q(merged_into__isnull=True),
                name="person_unique_nir",
            ),
        ]
        indexes = [
            models.Index(fields=["commune"], name="person_commune"),
            models.Index(fields=["birth_date"]),
            models.Index(fields=["birth_name_key"]),
            models.Index(fields=["usage_name_key"], condition=~Q(usage_name_key=""), name="person_usage_name_key"),
            models.Index(fields=["last_name_phonetic"]),
            models.Index(fields=["usage_name_phonetic"]),
            models.Index(fields=["caf_number"]),
            models.Index(fields=["france_travail_id"]),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        if not self.dossier_number:
            self.dossier_number = DossierCounter.next_number(self.departement)
        self.set_matching_keys()
        super().save(*args, **kwargs)
        NameVariant.remember(self.birth_name, self.usage_name, using=self._state.db)

    def set_matching_keys(self):
        """The keys the matching looks people up by, derived from the names. ``save`` sets them and remembers the
        variants of the last names; a bulk write must do both (``NameVariant.rows``), as the bench does."""
        self.name_search = name_key(self.birth_name, self.usage_name, self.first_names)
        self.birth_name_key = last_name_key(self.birth_name)
        self.usage_name_key = last_name_key(self.usage_name)
        self.first_names_key = first_names_key(self.first_names)
        self.last_name_phonetic = phonetic(self.birth_name)
        self.usage_name_phonetic = phonetic(self.usage_name) if self.usage_name else ""

    @property
    def last_name(self):
        return self.usage_name or self.birth_name

    @property
    def initials(self):
        """« M. D. »: what a warning shows of a person one may not see (first name, then last name)."""
        letters = [fold(part)[:1].upper() for part in (self.first_names.split(" ")[0], self.last_name) if part]
        return " ".join(f"{letter}." for letter in letters if letter)

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
        return self.age < YOUNG_AGE_LIMIT

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


class NameVariant(models.Model):
    """A key under which a last name is looked up: the name, its parts, each with one letter left out
    (``people.identity.last_name_variants``). Two names one typo apart share a key: looking up the keys of the
    name typed gives, in a few rows, the names on file that are one typo away, and only those people are read.

    One row per key and name, whoever bears it; a name no one bears any more only costs its rows."""

    # No surrogate key: the primary key is the look-up index (variant first), read alone.
    pk = models.CompositePrimaryKey("variant", "name")
    variant = models.CharField(max_length=150)
    name = models.CharField(max_length=150)

    class Meta:
        verbose_name = "variante de nom"

    def __str__(self):
        return f"{self.variant} → {self.name}"

    @classmethod
    def rows(cls, *names):
        return [
            cls(variant=variant, name=last_name_key(name))
            for name in names
            if name
            for variant in last_name_variants(name)
        ]

    @classmethod
    def remember(cls, *names, using=None):
        """Make sure the keys of ``names`` are there (those already there are left alone). A name's keys are written
        together, its own key among them: the names whose own key is there already are skipped, read in one query
        by the index (an import's batch mostly bears names on file), the others written in one statement."""
        keys = {key: name for name in names if name and (key := last_name_key(name))}
        if not keys:
            return
        known = set(
            cls.objects.using(using)
            .filter(variant__in=sorted(keys))
            .filter(variant=models.F("name"))
            .values_list("name", flat=True)
        )
        rows = cls.rows(*(name for key, name in keys.items() if key not in known))
        if rows:
            cls.objects.using(using).bulk_create(rows, ignore_conflicts=True)


class PersonMerge(models.Model):
    """Two records of the same person merged by a coordinator: what moved, so that it can be undone."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    survivor = models.ForeignKey("Person", on_delete=models.PROTECT, related_name="merges_received")
    merged = models.ForeignKey("Person", on_delete=models.PROTECT, related_name="merges_done")
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


class DossierCounter(models.Model):
    """The last dossier number given, per département and year: « 91-2026-004512 », short enough to read out."""

    departement = models.CharField("département", max_length=3)
    year = models.PositiveSmallIntegerField("année")
    last = models.PositiveIntegerField("dernier numéro", default=0)

    class Meta:
        verbose_name = "compteur de numéros de dossier"
        constraints = [models.UniqueConstraint(fields=["departement", "year"], name="one_dossier_counter_per_year")]

    def __str__(self):
        return f"{self.departement}-{self.year} : {self.last}"

    @classmethod
    def next_number(cls, departement, year=None):
        """The next number, taken under a row lock: two creations at once never get the same one."""
        year = year or timezone.localdate().year
        with transaction.atomic():
            cls.objects.get_or_create(departement=departement, year=year)
            counter = cls.objects.select_for_update().get(departement=departement, year=year)
            counter.last += 1
            counter.save(update_fields=["last"])
        return format_dossier_number(departement, year, counter.last)

    @classmethod
    def next_numbers(cls, departement, count, year=None):
        """``count`` consecutive numbers, taken under one row lock (a batch of people entering together)."""
        year = year or timezone.localdate().year
        with transaction.atomic():
            cls.objects.get_or_create(departement=departement, year=year)
            counter = cls.objects.select_for_update().get(departement=departement, year=year)
            first = counter.last + 1
            counter.last += count
            counter.save(update_fields=["last"])
        return [format_dossier_number(departement, year, number) for number in range(first, counter.last + 1)]


def format_dossier_number(departement, year, number):
    return f"{departement}-{year}-{number:06d}"


class DuplicateScan(models.Model):
    """One computation of the probable duplicates across the département, run by the task queue."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField("demandée le", default=timezone.now)
    finished_at = models.DateTimeField("terminée le", null=True, blank=True)
    persons_compared = models.PositiveIntegerField("personnes comparées", default=0)
    pairs_found = models.PositiveIntegerField("paires trouvées", default=0)

    class Meta:
        verbose_name = "recherche de doublons"
        ordering = ["-requested_at"]

    def __str__(self):
        return f"Recherche de doublons du {timezone.localtime(self.requested_at):%d/%m/%Y %H:%M}"


class DuplicatePair(models.Model):
    """Two records the matching engine finds probably of the same person, for a coordinator to merge or tell apart.
    ``first`` is the older record. A pair told apart (« pas la même personne ») is kept so that it is never proposed
    again."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "à examiner"
        DISTINCT = "distinct", "pas la même personne"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    first = models.ForeignKey("Person", on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey("Person", on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField("score")
    strong = models.BooleanField("peu de doute", default=False)
    reasons = models.JSONField("raisons", default=list)
    status = models.CharField("statut", max_length=20, choices=Status.choices, default=Status.PROPOSED)
    found_at = models.DateTimeField("trouvée le", default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)

    class Meta:
        verbose_name = "doublon probable"
        verbose_name_plural = "doublons probables"
        constraints = [models.UniqueConstraint(fields=["first", "second"], name="one_duplicate_pair")]
        indexes = [models.Index(fields=["status", "-score"], name="duplicate_pair_ranking")]

    def __str__(self):
        return f"Doublon probable {self.first.dossier_number} / {self.second.dossier_number}"

    @property
    def persons(self):
        return (self.first, self.second)
