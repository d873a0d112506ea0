"""Imports of the lists partners send: saved column mappings, runs, and what became of each row."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class ImportProfile(models.Model):
    """A structure's own mapping of a file's headers to Relais fields."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    structure = models.ForeignKey("accounts.Structure", on_delete=models.CASCADE, related_name="import_profiles")
    name = models.CharField("nom du profil", max_length=100)
    entry_source = models.CharField("origine des personnes", max_length=20, default="import")
    # Header as in the file → Relais field.
    mapping = models.JSONField("correspondance des colonnes", default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("créé le", default=timezone.now)

    class Meta:
        verbose_name = "profil d'import"
        verbose_name_plural = "profils d'import"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["structure", "name"], name="import_profile_unique_name")]

    def __str__(self):
        return self.name


# A run that has not moved for this long is stuck (its worker stopped): the run's page offers to resume it.
STALLED_AFTER = datetime.timedelta(minutes=10)


class ImportRun(models.Model):
    """One file taken in (or tried, in a dry run): its progress and its counts."""

    class Status(models.TextChoices):
        PENDING = "pending", "en attente"
        RUNNING = "running", "en cours"
        DONE = "done", "terminé"
        FAILED = "failed", "échoué"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    structure = models.ForeignKey("accounts.Structure", on_delete=models.PROTECT, related_name="import_runs")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    membership = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, null=True, related_name="+")
    profile_name = models.CharField("profil", max_length=100)
    file_name = models.CharField("fichier", max_length=255)
    file = models.FileField("fichier reçu", upload_to="imports/", blank=True)
    apply = models.BooleanField("appliqué", default=False)
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField("erreur", blank=True)
    file_kind = models.CharField("format lu", max_length=100, blank=True)
    size = models.PositiveBigIntegerField("taille", default=0)
    lines = models.PositiveIntegerField("lignes du fichier", default=0)
    # Lines already processed (each batch commits with its rows): a re-run resumes after them.
    processed = models.PositiveIntegerField("lignes traitées", default=0)
    created = models.PositiveIntegerField("créées", default=0)
    updated = models.PositiveIntegerField("mises à jour", default=0)
    unchanged = models.PositiveIntegerField("inchangées", default=0)
    set_aside = models.PositiveIntegerField("mises de côté", default=0)
    rejected = models.PositiveIntegerField("rejetées", default=0)
    # Rows taken in with a value left out (a wrong phone number or email), whatever their outcome.
    left_out = models.PositiveIntegerField("avec une valeur non reprise", default=0)
    ignored_columns = models.JSONField("colonnes ignorées", default=list)
    started_at = models.DateTimeField("démarré le", default=timezone.now)
    # The last sign of life: each batch committed, a resumption asked for.
    progressed_at = models.DateTimeField("dernière avancée", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    class Meta:
        verbose_name = "import de fichier"
        verbose_name_plural = "imports de fichiers"
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["structure", "-started_at"])]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def is_stalled(self):
        """Unfinished, and nothing moved for ``STALLED_AFTER``: the worker that carried it out stopped."""
        last = self.progressed_at or self.started_at
        return not self.is_finished and last < timezone.now() - STALLED_AFTER

    @property
    def can_be_resumed(self):
        """Stalled, with its file still kept (a run of the command has none: the command is run again)."""
        return self.is_stalled and bool(self.file)

    @property
    def percent(self):
        if self.is_finished:
            return 100
        return min(99, round(100 * self.processed / self.lines)) if self.lines else 0

    @property
    def counts(self):
        return {outcome: getattr(self, outcome) for outcome in ImportRow.Outcome.values}


class ImportRow(models.Model):
    """What became of one row: the report's line. Set-aside rows keep their values until someone decides."""

    class Outcome(models.TextChoices):
        CREATED = "created", "créée"
        UPDATED = "updated", "mise à jour"
        UNCHANGED = "unchanged", "inchangée"
        SET_ASIDE = "set_aside", "mise de côté"
        REJECTED = "rejected", "rejetée"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Indexed by the unique (run, line) and the index it leads, not on its own.
    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="rows", db_index=False)
    line = models.PositiveIntegerField("ligne")
    outcome = models.CharField("résultat", max_length=10, choices=Outcome.choices)
    person = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="import_rows"
    )
    column = models.CharField("colonne", max_length=200, blank=True)
    reason = models.CharField("motif", max_length=500, blank=True)
    changed = models.JSONField("champs modifiés", default=list, blank=True)
    # Set aside: the row's normalised values (the NIR encrypted) and its candidates' public ids, until decided.
    values = models.JSONField("valeurs", default=dict, blank=True)
    candidates = models.JSONField("candidats", default=list, blank=True)
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "ligne importée"
        verbose_name_plural = "lignes importées"
        ordering = ["run", "line"]
        constraints = [models.UniqueConstraint(fields=["run", "line"], name="import_row_unique_line")]
        indexes = [models.Index(fields=["run", "outcome", "line"])]

    def __str__(self):
        return f"ligne {self.line} : {self.get_outcome_display()}"


class ImportedIdentity(models.Model):
    """An identity a structure's files gave, and the person it is: a row without NIR nor CAF number found again
    in a later file (or after a review decision) goes to the same person, never to the review twice."""

    # Indexed by the unique (structure, key), not on its own.
    structure = models.ForeignKey("accounts.Structure", on_delete=models.CASCADE, related_name="+", db_index=False)
    key = models.CharField("clé d'identité", max_length=64)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="imported_identities")

    class Meta:
        verbose_name = "identité importée"
        verbose_name_plural = "identités importées"
        constraints = [models.UniqueConstraint(fields=["structure", "key"], name="imported_identity_unique_key")]

    def __str__(self):
        return f"identité importée par {self.structure_id}"
