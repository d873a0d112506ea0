"""The import engine, shared by the upload page (through the task queue) and the ``import_people`` command.

Rows are read as a stream and processed in batches, each in one transaction with its report lines and the run's
counters: a run killed mid-file is resumed after its last committed batch, or the file imported again, without a
duplicate nor a half-written row. A batch costs the same number of queries whatever its size: its exact identifiers
are looked up at once (NIR digests, France Travail identifiers, CAF numbers, identities already imported by the
structure); the rows none of them finds are matched together (``people.matching.Batch``: the same likely duplicates
as ``find``, their candidates read in one query from an index of everyone by birth date read once per run); the
changes, the new people and the report are written together.

For each row:
- the same NIR, France Travail identifier, CAF number with the same first names and birth date, or an identity
  this structure imported before → that person, updated with what the file changes (``update_people``);
- a likely duplicate, on file or earlier in the file → set aside for a human decision (the review screen), with its
  candidates;
- otherwise → a new person and their pathway (``enter_people``), entered on the file's date with its source.
The same person twice in one file counts once: a later row with the same values is unchanged, one with other
values is refused with its reason (the first row counts), so that the same file imported again changes nothing.
A person on file the importer may not reach (``imports.access.reachable``) is neither changed nor offered as a
candidate: their row is refused without naming them. A wrong phone number or email is left out, said on the row.

The identity each row gave is kept with the person it is (``ImportedIdentity``), whether the row created them or
found them by another identifier. Memory does not grow with the file on an applied run: once a batch is written, the
next batches find its people in the database by the same identifiers, and the engine keeps only those a record does
not bear (``Engine._keep_unsettled``), what the last rows said (``Engine.met``, bounded), and the values of the
columns that repeat, normalised once each (``Engine.memo``, bounded). A dry run writes nothing: it keeps every
identifier it met, the people it would have entered in the matching index (their names, without the row), and the
people it would have changed, as changed (``Engine.unwritten``).
"""

import datetime
import gc
import re
import uuid
from dataclasses import dataclass, field
from functools import cached_property

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.context import acting_as
from imports import values as clean
from imports.access import can_import, reachable
from imports.fields import FIELDS, PROFILES, REQUIRED, Profile, header_key
from imports.models import ImportedIdentity, ImportRow, ImportRun
from imports.readers import UnreadableFile
from pathway.actions import enter_people, enter_person, update_people, update_person
from pathway.models import EntrySource
from people import matching
from people.comparison import compare_birth_dates, first_names_key
from people.identity import last_name_key, nir_hash, nir_matches_identity
from people.models import Person
from relais import bulk, secrets
from relais.actions import SYSTEM, ActionError, require

# A cell that looks like a person's data rather than the name of a column: four digits (a date, a NIR, a number).
DATA_LIKE = re.compile(r"\d{4}|\d{1,2}/\d{1,2}/\d{2}")
BATCH_SIZE = 2_000
MET_KEPT = 60_000  # identifiers of the last 20,000 rows or so (three each)
COMMUNE_FIELDS = ("commune_code", "postcode", "commune_name")
# Contact fields a file may give in two columns (« Téléphone », « Portable »): the second read when the first is empty.
FALLBACK_FIELDS = {"phone", "email"}
# A row that is someone the importer may not see (``imports.access.reachable``): refused, without naming them.
SOMEONE_ELSES = (
    "Cette personne est déjà connue de Relais, mais son dossier ne vous est pas ouvert : la ligne ne lui est pas "
    "appliquée, et son dossier n'est pas nommé ici."
)
CLOSE_TO_SOMEONE_ELSES = (
    "Une personne très proche est déjà connue de Relais, mais son dossier ne vous est pas ouvert : la ligne n'est pas "
    "importée, pour ne pas créer de doublon, et ce dossier n'est pas nommé ici."
)
# A value of these that cannot be taken in is left out, and said on the row: the person is not refused for it.
LEFT_OUT_WHEN_WRONG = {"phone", "email"}
# What a later file may change on a person found: contact and situation, never the identity itself.
UPDATABLE = (
    "usage_name",
    "sex",
    "email",
    "phone",
    "address",
    "commune_id",
    "caf_number",
    "household_role",
    "france_travail_id",
    "rsa_since",
    "jobseeker_registered",
)
# Filled only when the record has none: an identifier is never replaced by a file.
FILL_ONLY = {"sex", "caf_number", "france_travail_id", "household_role"}
NORMALISERS = {
    "birth_name": clean.last_name,
    "usage_name": clean.last_name,
    "first_names": clean.first_names,
    "birth_date": clean.birth_date,
    "sex": clean.sex,
    "nir": clean.nir,
    "caf_number": clean.caf_number,
    "household_role": clean.household_role,
    "france_travail_id": clean.identifier,
    "email": clean.email,
    "phone": clean.phone,
    "address": clean.text,
    "postcode": clean.code,
    "commune_name": clean.text,
    "commune_code": clean.code,
    "rsa_since": lambda value, today: clean.past_date(value, "date d'ouverture du droit", today),
    "entered_at": lambda value, today: clean.past_date(value, "date d'entrée", today),
}
# Normalised for the day of the import (a date in the future, the minimum age).
DATED = {"birth_date", "rsa_since", "entered_at"}
# The columns whose values repeat from row to row (a first name, a birth date, a commune): each value met is
# normalised once per run, its outcome (value or refusal) kept, within bounds.
REPEATED = (
    "birth_name",
    "usage_name",
    "first_names",
    "birth_date",
    "sex",
    "household_role",
    "postcode",
    "commune_name",
    "commune_code",
    "rsa_since",
    "entered_at",
)
REPEATED_KEPT = 20_000


# Names are never placeholders (« Na » is a name); the lengths the person's record holds.
NAMES = {"birth_name", "usage_name", "first_names"}
MAX_LENGTHS = {
    name: Person._meta.get_field(name).max_length
    for name in ("birth_name", "usage_name", "first_names", "caf_number", "france_travail_id", "email", "address")
}


def profile_from_mapping(name, mapping, entry_source=EntrySource.IMPORT):
    """A profile from a user's mapping (header in their file → Relais field)."""
    headers = {}
    for header, relais_field in mapping.items():
        if relais_field in FIELDS:
            headers.setdefault(relais_field, []).append(header)
    return Profile(name, name, entry_source, headers, jobseekers=entry_source == EntrySource.FRANCE_TRAVAIL)


def get_profile(name, structure=None):
    """A built-in profile by name, or the structure's own by name; ``None`` when there is none."""
    if name in PROFILES:
        return PROFILES[name]
    if structure is not None:
        saved = structure.import_profiles.filter(name=name).first()
        if saved is not None:
            return profile_from_mapping(saved.name, saved.mapping, saved.entry_source)
    return None


def identity_key(birth_name, first_names, birth_date):
    return secrets.keyed_hash(f"{last_name_key(birth_name)}|{first_names_key(first_names)}|{birth_date}", "import")


@dataclass
class Row:
    line: int
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)  # (header, message)
    warnings: list = field(default_factory=list)  # (header, message): a value left out, the row taken in
    defaulted: set = field(default_factory=set)  # fields the file did not give, set by the engine
    person_id: int = None
    outcome: str = ""
    changed: list = field(default_factory=list)
    # Set aside: (public id of a person on file, or the Row of someone this run enters, score) of each candidate.
    candidates: list = field(default_factory=list)
    query: object = None
    entry: object = None  # in the matching index
    public_id: object = None

    @cached_property
    def nir_digest(self):
        return nir_hash(self.values.get("nir")) if self.values.get("nir") else ""

    @cached_property
    def key(self):
        return identity_key(self.values["birth_name"], self.values["first_names"], self.values["birth_date"])


class Superseded(Exception):
    """Another worker moved the run on: this one stops (see ``Engine.batch``)."""


class Engine:
    """One run of one file. ``by`` is the acting membership (or ``SYSTEM`` for the command without a user)."""

    def __init__(self, run, *, profile, by, batch_size=None):
        if by is not SYSTEM:
            require(can_import(by) and by.structure_id == run.structure_id)
        self.run = run
        self.profile = profile
        self.by = by
        self.batch_size = batch_size or BATCH_SIZE
        self._communes = None
        self._index = None
        self.batch_persons = {}
        self.pending = []
        self.updates = {}
        self.unwritten = {}  # a dry run: the people it changed, as changed (``write_updates``)
        # Identifiers met earlier in this run → person id (or 0 in a dry run): the same person twice in a file. On an
        # applied run, once a batch is written, only those the next batches would not find again in the database
        # are kept (``_keep_unsettled``): memory does not grow with the file. A dry run writes nothing and keeps all.
        self.seen = {}
        # The rows met last, by identifier: (line, what each said), to find the same person twice in one file with
        # other values (``_contradicts_earlier``). Bounded: a file's repeated rows mostly come close together.
        self.met = matching.Bounded(MET_KEPT)
        # The batch's people as written: person id → what the look-ups read (``_settled``); those whose update failed.
        self.created = {}
        self.failed = set()
        self.identities = {}  # ``ImportedIdentity`` written by the batch: key → person id
        self.today = timezone.localdate()
        self.memo = {name: matching.Bounded(REPEATED_KEPT) for name in REPEATED}
        self.commune_memo = matching.Bounded(REPEATED_KEPT)  # (code, postcode, name) → (commune, refusal)
        # Lines processed as this engine last read or wrote them: another worker that moved them took the run over.
        self.processed = None
        self.reachable = set()

    @property
    def index(self):
        """Everyone on file by birth date, read once per run (``people.matching.Index``)."""
        if self._index is None:
            # It lives as long as the run: left out of the garbage collector's collections, which would go through
            # its hundreds of thousands of objects again and again, while it is read (it holds no cycle) and after
            # (``gc.unfreeze`` when the run ends).
            collecting = gc.isenabled()
            gc.disable()
            try:
                self._index = matching.Index()
            finally:
                if collecting:
                    gc.enable()
            gc.freeze()
        return self._index

    @property
    def communes(self):
        if self._communes is None:
            self._communes = clean.Communes()
        return self._communes

    # --- Columns ------------------------------------------------------------------------------------------------

    def names_the_columns(self, cells):
        """Whether a row of the file names the columns the profile requires (the row to read the others by)."""
        return not self._missing({self.profile.field_for(cell) for cell in cells if cell})

    @staticmethod
    def _missing(present):
        """The labels of the columns a file must have that ``present`` (Relais fields) lacks."""
        missing = [FIELDS[name] for name in REQUIRED if name not in present]
        if not present & set(COMMUNE_FIELDS):
            missing.append("commune (code INSEE, code postal ou nom)")
        return missing

    def map_columns(self, headers):
        """Each column to the field its header names. Two columns for one field: the more explicit header wins
        (« NOM_NAISSANCE » over « NOM »), and a plain « nom » that loses the birth name is taken as the usage name
        (a CAF list with both gives the current name under « NOM »)."""
        claimed = {}
        for index, header in enumerate(headers):
            name = self.profile.field_for(header) if header else None
            if name:
                claimed.setdefault(name, []).append(index)
        columns, self.fallbacks = {}, {}
        for name, indexes in claimed.items():
            # The longest header key is the most explicit; at equal length, the first column.
            ranked = sorted(indexes, key=lambda index: (-len(header_key(headers[index])), index))
            best = ranked[0]
            columns[best] = name
            if name == "birth_name" and "usage_name" not in claimed:
                plain = [index for index in indexes if index != best and header_key(headers[index]) == "nom"]
                if plain:
                    columns[plain[0]] = "usage_name"
            if name in FALLBACK_FIELDS and len(ranked) > 1:
                self.fallbacks[name] = ranked[1:]
        used = {*columns, *(index for others in self.fallbacks.values() for index in others)}
        ignored = [header for index, header in enumerate(headers) if header and index not in used]
        columns = dict(sorted(columns.items()))
        present = set(columns.values())
        missing = self._missing(present)
        if missing:
            raise UnreadableFile(
                "Colonnes obligatoires absentes pour le profil « "
                f"{self.profile.label} » : {', '.join(missing)}. {self._headers_said(headers)}"
            )
        self.headers = headers
        self.columns = columns
        self.header_of = {name: headers[index] for index, name in columns.items()}
        first = next(iter(columns))
        self._first_header = (first, headers[first])
        return ignored

    @staticmethod
    def _headers_said(headers):
        """The names of the file's columns, for a message kept with the run; none when one of them looks like a
        person's data (a file without its row of names: its first row is someone's identity, a NIR)."""
        given = [header for header in headers if header]
        if any(DATA_LIKE.search(header) for header in given):
            return (
                "La ligne lue comme celle des noms des colonnes semble porter des données : le fichier doit commencer "
                "par les noms de ses colonnes (NOM, PRÉNOMS, DATE DE NAISSANCE…)."
            )
        return f"Colonnes du fichier : {', '.join(header[:40] for header in given)}."

    # --- Rows ---------------------------------------------------------------------------------------------------

    def _repeats_the_headers(self, cells):
        """Whether ``cells`` give the names of the columns again (a file put together from several exports)."""
        first, header = self._first_header
        cell = cells[first] if first < len(cells) else None
        return (
            isinstance(cell, str)
            and (cell == header or " ".join(cell.split()) == header)
            and all(
                index < len(cells) and header_key(str(cells[index])) == header_key(self.headers[index])
                for index in self.columns
            )
        )

    def parse(self, line, cells):
        """The row of ``cells``, its values normalised or its errors said; ``None`` for the names of the columns
        given again."""
        if self._repeats_the_headers(cells):
            return None
        row = Row(line)
        if (len(cells) != len(self.headers) and any(clean.text(cell) for cell in cells[len(self.headers) :])) or (
            len(cells) < len(self.headers) and len(cells) < max(self.columns) + 1
        ):
            if self._lone_cell(row, cells):
                return row
            count = f"{len(cells)} colonne{'s' if len(cells) > 1 else ''}"
            row.errors.append(("", f"La ligne a {count}, l'en-tête en a {len(self.headers)}."))
            return row
        raw = {name: cells[index] if index < len(cells) else "" for index, name in self.columns.items()}
        if not any(clean.text(raw[name]) for name in REQUIRED) and self._lone_cell(row, cells):
            return row
        for name, others in self.fallbacks.items():
            if self._blank(raw[name]):
                raw[name] = next((cells[index] for index in others if not self._blank(cells, index)), "")
        if "nir_key" in raw:
            key = raw.pop("nir_key")
            if "nir" in raw:
                raw["nir"] = self._nir_with_its_key(raw["nir"], key)
        values = row.values
        memo = self.memo
        for name, value in raw.items():
            kept = memo.get(name)
            if kept is None:
                outcome = self._clean(name, value)
            else:
                key = (type(value), value)  # 1, 1.0 and True are equal, not the same cell
                outcome = kept.get(key)
                if outcome is None:
                    outcome = kept[key] = self._clean(name, value)
            clean_value, error, raw[name] = outcome
            if error is not None and name in self.fallbacks:
                # A wrong number in « Téléphone », a good one in « Portable »: the good one.
                for index in self.fallbacks[name]:
                    if not self._blank(cells, index) and (other := self._clean(name, cells[index]))[1] is None:
                        clean_value, error, raw[name] = other
                        break
            if error is None:
                values[name] = clean_value
            elif name in LEFT_OUT_WHEN_WRONG:
                row.warnings.append((self.header_of[name], f"{error} Valeur non reprise."))
            else:
                row.errors.append((self.header_of[name], error))
        if values.get("household_role") == clean.CHILD:
            row.errors.append(
                (
                    self.header_of["household_role"],
                    "Ligne d'un enfant du foyer : seuls le demandeur et son conjoint entrent dans le parcours.",
                )
            )
            return row
        if values.get("nir"):
            for message in nir_matches_identity(values["nir"], values.get("sex"), values.get("birth_date")):
                row.errors.append((self.header_of["nir"], message))
        for name in REQUIRED:
            if (
                name in values
                and not values[name]
                and not any(header == self.header_of[name] for header, _ in row.errors)
            ):
                row.errors.append((self.header_of[name], f"Le champ « {FIELDS[name]} » est vide."))
        place = tuple(raw.get(name, "") for name in COMMUNE_FIELDS)
        place_key = tuple((type(value), value) for value in place)
        commune = self.commune_memo.get(place_key)
        if commune is None:
            try:
                commune = self.commune_memo[place_key] = (self.communes.find(*place), None)
            except clean.Invalid as error:
                commune = self.commune_memo[place_key] = (None, str(error))
        if commune[1] is None:
            values["commune_id"] = commune[0]
        else:
            column = next((self.header_of[name] for name in COMMUNE_FIELDS if raw.get(name)), "")
            row.errors.append((column, commune[1]))
        if self.profile.entry_source == EntrySource.CAF and not row.errors:
            given = values.get("rsa_since") or values.get("entered_at")
            if not given:
                # A list of the RSA without the date the right opened: the person is on the RSA from today at the
                # latest, which a record that has its date keeps (``changes_for``).
                row.defaulted.add("rsa_since")
            values["rsa_since"] = given or self.today
        if self.profile.jobseekers:
            values["jobseeker_registered"] = True
        return row

    @staticmethod
    def _lone_cell(row, cells):
        """Whether ``cells`` hold one filled cell only (« Total : 152 », padded or not; a title between two exports
        glued together), said on ``row``."""
        filled = [clean.text(cell) for cell in cells if clean.text(cell)]
        if len(filled) != 1:
            return False
        row.errors.append(
            ("", f"Une seule cellule remplie, « {filled[0][:60]} » : un total ou une note, non importée.")
        )
        return True

    @staticmethod
    def _blank(value, index=None):
        """Whether ``value`` (or the cell ``index`` of the row ``value``) gives nothing."""
        if index is not None:
            value = value[index] if index < len(value) else ""
        value = clean.unwrap(value)
        return not clean.text(value) or clean.is_placeholder(value)

    @staticmethod
    def _nir_with_its_key(nir, key):
        """The NIR of 13 digits followed by the key of its own column (« CLE »: 2 digits, a number may have lost its
        leading zero)."""
        digits = clean.text(clean.unwrap(nir)).replace(" ", "").replace(".", "")
        key = clean.text(clean.unwrap(key)).removesuffix(".0")
        if len(digits) == 13 and key.isdigit() and len(key) <= 2:
            return f"{digits}{int(key):02d}"
        return nir

    def _clean(self, name, value):
        """(the normalised value, the French reason it is refused or ``None``, the cell as read: blank when it says
        there is no value)."""
        value = clean.unwrap(value)
        if name not in NAMES and clean.is_placeholder(value):
            value = ""  # « NC », « néant », « - »: nothing given
        try:
            if isinstance(value, str) and "\x00" in value:
                raise clean.Invalid("La cellule contient un caractère nul : le fichier est sans doute abîmé.")
            normalised = NORMALISERS[name](value, self.today) if name in DATED else NORMALISERS[name](value)
            limit = MAX_LENGTHS.get(name)
            if limit and isinstance(normalised, str) and len(normalised) > limit:
                raise clean.Invalid(
                    f"« {normalised[:40]}… » a {len(normalised)} caractères : le champ « {FIELDS[name]} » "
                    f"en prend {limit} au plus."
                )
        except clean.Invalid as error:
            return None, str(error), value
        return normalised, None, value

    # --- Matching -----------------------------------------------------------------------------------------------

    def _lookups(self, rows):
        """The people each exact identifier of the batch points at, in four queries at most."""
        persons = Person.objects.filter(merged_into__isnull=True).order_by()
        digests = {row.nir_digest for row in rows} - {""}
        france_travail = {row.values.get("france_travail_id") for row in rows} - {"", None}
        caf = {row.values.get("caf_number") for row in rows} - {"", None}
        keys = {row.key for row in rows}
        found = {}
        fields = ("id", "nir_digest", "france_travail_id", "caf_number", "first_names_key", "birth_date")
        if digests:
            # The index on the digest leaves out the records without one: the condition says so, or PostgreSQL reads
            # the whole table for a list of digests (it cannot tell that none of them is empty).
            for person in persons.filter(nir_digest__in=digests).exclude(nir_digest="").values(*fields):
                found[("nir", person["nir_digest"])] = person["id"]
        if france_travail:
            for person in persons.filter(france_travail_id__in=france_travail).values(*fields):
                found[("ft", person["france_travail_id"])] = person["id"]
        if caf:
            for person in persons.filter(caf_number__in=caf).values(*fields):
                key = ("caf", person["caf_number"], person["first_names_key"], person["birth_date"])
                found[key] = person["id"]
                found[("caf-nir", person["id"])] = person["nir_digest"]
        for key, person_id in ImportedIdentity.objects.filter(
            structure_id=self.run.structure_id, key__in=keys
        ).values_list("key", "person_id"):
            found[("key", key)] = person_id
        return found

    def _row_keys(self, row):
        values = row.values
        keys = []
        if row.nir_digest:
            keys.append(("nir", row.nir_digest))
        if values.get("france_travail_id"):
            keys.append(("ft", values["france_travail_id"]))
        if values.get("caf_number"):
            keys.append(("caf", values["caf_number"], first_names_key(values["first_names"]), values["birth_date"]))
        keys.append(("key", row.key))
        return keys

    def _exact(self, row, found):
        for key in self._row_keys(row):
            person_id = self.seen.get(key)
            if person_id is None:
                person_id = found.get(key)
                # The same CAF number and identity, but another NIR on file: another person.
                if (
                    key[0] == "caf"
                    and person_id
                    and row.nir_digest
                    and found.get(("caf-nir", person_id))
                    not in (
                        "",
                        row.nir_digest,
                    )
                ):
                    person_id = None
            if person_id is not None:
                return person_id
        return None

    @staticmethod
    def query(row):
        values = row.values
        query = matching.Query(
            last_name=values["usage_name"] if values.get("usage_name") else values["birth_name"],
            first_names=values["first_names"],
            birth_date=values["birth_date"],
            nir=values.get("nir", ""),
            caf_number=values.get("caf_number", ""),
            france_travail_id=values.get("france_travail_id", ""),
        )
        if values.get("usage_name") and values["usage_name"] != values["birth_name"]:
            query.last_name = f"{values['birth_name']} {values['usage_name']}"
        return query

    # --- Writing ------------------------------------------------------------------------------------------------

    def _identity(self, values):
        identity = {
            name: values[name]
            for name in ("birth_name", "usage_name", "first_names", "birth_date", "sex", "email", "phone", "address")
            if values.get(name)
        }
        for name in ("caf_number", "france_travail_id", "household_role", "rsa_since", "jobseeker_registered"):
            if values.get(name):
                identity[name] = values[name]
        identity["commune_id"] = values["commune_id"]
        return identity

    def entry_date(self, values):
        return values.get("entered_at") or values.get("rsa_since") or self.today

    def create(self, row):
        values = row.values
        if not self.run.apply:
            return None
        with transaction.atomic():
            person = enter_person(
                by=SYSTEM,
                identity=self._identity(values),
                nir=values.get("nir", ""),
                entered_at=self.entry_date(values),
                entry_source=self.profile.entry_source,
            )
            ImportedIdentity.objects.create(structure_id=self.run.structure_id, key=row.key, person=person)
        return person

    def changes_for(self, person, values, defaulted=()):
        """What ``values`` change on ``person``: what the file gives; a value the engine supplied (``defaulted``)
        only fills an empty field."""
        changes = {}
        for name in UPDATABLE:
            value = values.get(name)
            if value in (None, "") or value is False:
                continue
            current = getattr(person, name)
            if current == value or ((name in FILL_ONLY or name in defaulted) and current):
                continue
            changes[name] = value
        nir = values.get("nir", "") if not person.nir_digest else ""
        return changes, nir

    def update(self, row, person_id):
        person = self.batch_persons.get(person_id) or Person.objects.get(pk=person_id)
        changes, nir = self.changes_for(person, row.values, row.defaulted)
        if not changes and not nir:
            return []
        if self.run.apply:
            with transaction.atomic():
                update_person(person, by=SYSTEM, version=None, changes=changes, nir=nir)
        return sorted({*changes, *(["nir"] if nir else [])})

    def changes_in_batch(self, row, person_id):
        """What the row changes on the person, after what the batch's earlier rows changed: gathered per person, to
        be written with the batch (``update_people``)."""
        person = self.batch_persons[person_id]
        changes, nir = self.changes_for(person, row.values, row.defaulted)
        if not changes and not nir:
            return []
        gathered = self.updates.setdefault(person_id, [{}, ""])
        gathered[0].update(changes)
        for name, value in changes.items():
            setattr(person, name, value)
        if nir:
            gathered[1] = nir
            person.nir_digest = nir_hash(nir)
        return sorted({*changes, *(["nir"] if nir else [])})

    def _given(self, row):
        """What the row says of the person beyond who they are: the values a later file may change."""
        return {name: row.values[name] for name in UPDATABLE if row.values.get(name) not in (None, "", False)}

    def _contradicts_earlier(self, row):
        """Whether the same person came earlier in this file with other values: the first row counts, the later one
        is refused with its reason, so that importing the file again changes nothing (rather than each row undoing
        the other's values on every import)."""
        for key in self._row_keys(row):
            earlier = self.met.get(key)
            if earlier is None or earlier[0] == row.line:
                continue
            line, given = earlier
            mine = self._given(row)
            different = sorted({name for name in {*given, *mine} if given.get(name) != mine.get(name)})
            if not different:
                return False
            labels = ", ".join(FIELDS.get(name.removesuffix("_id"), name) for name in different)
            row.errors.append(
                (
                    "",
                    f"Même personne qu'à la ligne {line} de ce fichier, avec d'autres valeurs ({labels}) : seule la "
                    f"ligne {line} est prise en compte. Corrigez l'une des deux lignes.",
                )
            )
            return True
        return False

    def _nir_of_someone_else(self, row, person_id):
        """Found by their NIR, a person whose birth date is not the row's, nor a typing error of it: the NIR, or the
        date, is wrong on one side; matching them would give one person the other's contact and address."""
        person = self.batch_persons.get(person_id)
        return (
            person is not None
            and bool(row.nir_digest)
            and person.nir_digest == row.nir_digest
            and compare_birth_dates(row.values["birth_date"], person.birth_date)[0] == 0
        )

    def process(self, row, found, matcher):
        if row.errors or self._contradicts_earlier(row):
            row.outcome = ImportRow.Outcome.REJECTED
            return
        person_id = self._exact(row, found)
        if person_id and person_id not in self.reachable:
            row.errors.append(("", SOMEONE_ELSES))
            row.outcome = ImportRow.Outcome.REJECTED
            return
        if person_id == 0:  # the same person earlier in the file, counted there
            row.outcome = ImportRow.Outcome.UNCHANGED
        elif person_id and self._nir_of_someone_else(row, person_id):
            row.errors.append(
                (
                    self.header_of["nir"],
                    "Ce NIR est celui d'une personne connue née à une autre date : la ligne n'est rapprochée de "
                    "personne. Vérifiez le NIR et la date de naissance.",
                )
            )
            row.outcome = ImportRow.Outcome.REJECTED
            return
        elif person_id:
            row.person_id = person_id
            row.changed = self.changes_in_batch(row, person_id)
            row.outcome = ImportRow.Outcome.UPDATED if row.changed else ImportRow.Outcome.UNCHANGED
        elif duplicates := matcher.likely_duplicates(row.query):
            shown = [match for match in duplicates if match.person is None or match.person.pk in self.reachable]
            if not shown:
                row.errors.append(("", CLOSE_TO_SOMEONE_ELSES))
                row.outcome = ImportRow.Outcome.REJECTED
                return
            row.outcome = ImportRow.Outcome.SET_ASIDE
            row.candidates = [(match.person.public_id if match.person else match.ref, match.score) for match in shown]
        elif not row.values.get("commune_id"):
            column = next((self.header_of[name] for name in COMMUNE_FIELDS if name in self.header_of), "")
            row.errors.append((column, "La commune est obligatoire pour créer une personne : elle est vide."))
            row.outcome = ImportRow.Outcome.REJECTED
            return
        else:
            row.outcome = ImportRow.Outcome.CREATED
            values = row.values
            row.entry = self.index.add(
                row,
                birth_name=values["birth_name"],
                usage_name=values.get("usage_name", ""),
                first_names=values["first_names"],
                birth_date=values["birth_date"],
                caf_number=values.get("caf_number", ""),
                nir_digest=row.nir_digest,
            )
            if self.run.apply:
                self.pending.append(row)  # created with the batch's other new people (``flush``)
            else:
                row.person_id = 0
        if row.outcome != ImportRow.Outcome.SET_ASIDE:
            # A later row with the same identifiers is the same person (until created: 0, as in a dry run).
            given = None
            for key in self._row_keys(row):
                self.seen.setdefault(key, row.person_id or 0)
                if key not in self.met:
                    given = given if given is not None else self._given(row)
                    self.met[key] = (row.line, given)

    def write_updates(self):
        """The batch's changes to people found, together (``update_people``); one by one if a NIR collides."""
        updates, self.updates = self.updates, {}
        if not updates:
            return
        if not self.run.apply:
            # Nothing written: the next batches read the people as this run changed them from memory.
            self.unwritten.update((person_id, self.batch_persons[person_id]) for person_id in updates)
            return
        triples = [(self.batch_persons[person_id], changes, nir) for person_id, (changes, nir) in updates.items()]
        try:
            with transaction.atomic():
                update_people(by=SYSTEM, updates=triples)
        except ActionError:
            for person, changes, nir in triples:
                try:
                    with transaction.atomic():
                        update_person(person, by=SYSTEM, version=None, changes=changes, nir=nir)
                except ActionError as error:
                    self.failed.add(person.pk)
                    for row in self.rows_of(person.pk):
                        row.errors.append(("", str(error)))
                        row.outcome = ImportRow.Outcome.REJECTED
                        row.changed = []

    def flush(self):
        """Create the batch's new people together (``enter_people``); one by one if one of them collides."""
        pending, self.pending = self.pending, []
        if not pending:
            return
        entries = [
            {
                "identity": self._identity(row.values),
                "nir": row.values.get("nir", ""),
                "entered_at": self.entry_date(row.values),
                "entry_source": self.profile.entry_source,
            }
            for row in pending
        ]
        try:
            with transaction.atomic():
                persons = enter_people(by=SYSTEM, entries=entries)
            for row, person in zip(pending, persons, strict=True):
                row.person_id, row.public_id = person.pk, person.public_id
                self.created[person.pk] = self._settled(person)
        except ActionError:
            for row in pending:
                try:
                    person = self.create(row)
                except ActionError as error:
                    row.errors.append(("", str(error)))
                    row.outcome = ImportRow.Outcome.REJECTED
                else:
                    row.person_id, row.public_id = person.pk, person.public_id
                    self.created[person.pk] = self._settled(person)
        for row in pending:
            if row.person_id:
                self.index.settle(row.entry, row.person_id)
                for key in self._row_keys(row):
                    self.seen[key] = row.person_id

    def write_identities(self, rows, found):
        """The identity each row gave, and the person it is (``ImportedIdentity``): for the people created, and for
        those found by another identifier, so that a later batch finds them again by it as this one did (one
        statement; a person created one by one has theirs already, left as it is)."""
        if not self.run.apply:
            return
        identities = {}
        for row in rows:
            if not row.person_id:
                continue
            if row.outcome == ImportRow.Outcome.CREATED or (
                row.outcome in (ImportRow.Outcome.UPDATED, ImportRow.Outcome.UNCHANGED)
                and ("key", row.key) not in found
            ):
                identities.setdefault(row.key, row.person_id)
        if identities:
            bulk.insert_rows(
                ImportedIdentity,
                constant={"structure_id": self.run.structure_id},
                fields=["key", "person_id"],
                rows=identities.items(),
                ignore_conflicts=True,
            )
        self.identities = identities

    @staticmethod
    def _settled(person):
        """What the look-ups read of a person (``_lookups``), as written."""
        return (
            person.nir_digest,
            person.france_travail_id,
            person.caf_number,
            person.first_names_key,
            person.birth_date,
        )

    def _keep_unsettled(self, found, first_new):
        """After an applied batch, forget the identifiers that the next batches' look-ups find again, in the
        database, pointing at the same person; keep the others (the few a record does not bear: another NIR on file,
        a CAF number that did not replace the record's; a person whose creation or update failed)."""
        settled = {
            person_id: self._settled(person)
            for person_id, person in self.batch_persons.items()
            if person_id not in self.failed
        }
        settled.update(self.created)
        kept = {}
        for position, (key, person_id) in enumerate(self.seen.items()):
            if position < first_new or not self._found_again(key, person_id, settled.get(person_id), found):
                kept[key] = person_id
        self.seen = kept

    def _found_again(self, key, person_id, settled, found):
        if not person_id or settled is None or found.get(key, person_id) != person_id:
            return False
        kind = key[0]
        if kind == "nir":
            return settled[0] == key[1]
        if kind == "ft":
            return settled[1] == key[1]
        if kind == "caf":
            return settled[2:] == key[1:]
        return found.get(key) == person_id or self.identities.get(key[1]) == person_id

    # The report's columns each row gives (``report_row``), the run being the same for all.
    REPORT_FIELDS = (
        "public_id",
        "line",
        "outcome",
        "person_id",
        "column",
        "reason",
        "changed",
        "values",
        "candidates",
    )

    def report_row(self, row):
        """The report's line of ``row``: a tuple of ``REPORT_FIELDS`` (written as rows, without an instance each)."""
        column = reason = ""
        values, candidates = {}, []
        said = [*row.errors, *row.warnings]
        if said:
            # Every column at fault, once each, in the order of the file; the messages, the refusals first.
            headers = sorted({header for header, _ in said if header}, key=self._position)
            column = ", ".join(headers)[:200]
            reason = " ".join(message for _, message in said)[:500]
        if row.outcome == ImportRow.Outcome.SET_ASIDE and self.run.apply:
            values = {
                name: value.isoformat() if isinstance(value, datetime.date) else value
                for name, value in row.values.items()
                if name != "nir"
            }
            values["nir"] = secrets.encrypt(row.values.get("nir", ""))
            if row.defaulted:
                values["defaulted"] = sorted(row.defaulted)
            candidates = [
                {"id": str(candidate if isinstance(candidate, uuid.UUID) else candidate.public_id), "score": score}
                for candidate, score in row.candidates
                if isinstance(candidate, uuid.UUID) or candidate.public_id
            ]
        return (
            uuid.uuid4(),
            row.line,
            row.outcome,
            row.person_id or None,
            column,
            reason,
            row.changed,
            values,
            candidates,
        )

    def _position(self, header):
        return self.headers.index(header) if header in self.headers else len(self.headers)

    def rows_of(self, person_id):
        return [row for row in self.batch_rows if row.person_id == person_id]

    def batch(self, rows):
        """One batch, in one transaction and a constant number of queries whatever its size: the run locked, the
        exact identifiers looked up, the people they point at read, the candidates of the likely duplicates read,
        then the changes, the new people and the report written together."""
        with transaction.atomic():
            self._lock(rows)
            self.batch_rows = rows
            self.created, self.failed, self.identities = {}, set(), {}
            first_new = len(self.seen)  # the identifiers this batch meets are put in after those kept
            valid = [row for row in rows if not row.errors]
            found = self._lookups(valid) if valid else {}
            # The people the exact identifiers point at, read at once rather than row by row: found on file, or met
            # in an earlier batch by an identifier their record lacks (a CAF number that does not replace theirs).
            exact = {id(row): self._exact(row, found) for row in valid}
            ids = {value for key, value in found.items() if key[0] != "caf-nir"} | set(exact.values()) - {None, 0}
            self.batch_persons = Person.objects.in_bulk(ids) if ids else {}
            self.batch_persons.update(
                (pk, self.unwritten[pk]) for pk in self.batch_persons.keys() & self.unwritten.keys()
            )
            # Those no exact identifier finds may be likely duplicates: their candidates are read together.
            unknown = [row for row in valid if exact[id(row)] is None]
            for row in unknown:
                row.query = self.query(row)
            matcher = matching.Batch(self.index)
            matcher.prefetch([row.query for row in unknown])
            # Those the importer may change or show, among the people on file the batch met (one query or two).
            self.reachable = reachable(self.by, self.run.structure_id, {*ids, *(pk for pk in matcher.rows if pk)})
            for row in rows:
                self.process(row, found, matcher)
            self.write_updates()
            self.flush()
            self.write_identities(rows, found)
            self.index.forget_recent()
            if self.run.apply:
                self._keep_unsettled(found, first_new)
            else:
                for row in rows:
                    if row.entry is not None:
                        self.index.release(row.entry)
            bulk.insert_rows(
                ImportRow,
                constant={"run": self.run},
                fields=self.REPORT_FIELDS,
                rows=[self.report_row(row) for row in rows],
            )
            self._advance(rows)

    def _lock(self, rows):
        """Lock the run; should another worker have moved it on (a resumption while this one still ran), stop."""
        processed = ImportRun.objects.select_for_update().values_list("processed", flat=True).get(pk=self.run.pk)
        if processed != self.processed:
            raise Superseded

    def _advance(self, rows):
        counts = {}
        for row in rows:
            counts[row.outcome] = counts.get(row.outcome, 0) + 1
        left_out = sum(1 for row in rows if row.warnings and row.outcome != ImportRow.Outcome.REJECTED)
        if left_out:
            counts["left_out"] = left_out
        run = self.run
        run.processed = self.processed = rows[-1].line
        run.progressed_at = timezone.now()
        ImportRun.objects.filter(pk=run.pk).update(
            processed=run.processed,
            progressed_at=run.progressed_at,
            **{outcome: F(outcome) + count for outcome, count in counts.items()},
        )
        for outcome, count in counts.items():
            setattr(run, outcome, getattr(run, outcome) + count)

    # --- The run ------------------------------------------------------------------------------------------------

    def execute(self, table, progress=None):
        """Read ``table`` to the end, batch by batch; ``run.processed`` says how far it went."""
        run = self.run
        ignored = self.map_columns(table.headers)
        with transaction.atomic():
            # What the run holds now (a resumed run: where its last batch left it), locked while it is marked.
            run.refresh_from_db()
            ImportRun.objects.select_for_update().filter(pk=run.pk).exists()
            run.ignored_columns = ignored
            run.file_kind = table.kind
            run.lines = table.lines
            run.status = ImportRun.Status.RUNNING
            run.progressed_at = timezone.now()
            run.save(update_fields=["ignored_columns", "file_kind", "lines", "status", "progressed_at"])
        self.processed = resume_after = run.processed
        try:
            with acting_as(getattr(self.by, "user", None), run.structure):
                pending = []
                rows = iter(table.rows)
                while True:
                    try:
                        line, cells = next(rows)
                    except StopIteration:
                        break
                    except UnreadableFile:
                        # A line the reader cannot read: the rows read before it are taken in, as its message says.
                        if pending:
                            self.batch(pending)
                        raise
                    if line <= resume_after or not any(clean.text(cell) for cell in cells):
                        continue
                    row = self.parse(line, cells)
                    if row is not None:
                        pending.append(row)
                    if len(pending) >= self.batch_size:
                        self.batch(pending)
                        pending = []
                        if progress:
                            progress(run)
                if pending:
                    self.batch(pending)
        except Superseded:
            # Another worker carries the run on (it was resumed while this one still ran): leave it to it.
            run.refresh_from_db()
            return run
        finally:
            if self._index is not None:
                gc.unfreeze()
        if not run.rows.exists():
            run.status = ImportRun.Status.FAILED
            run.error = "Le fichier ne contient aucune ligne de données : seulement les noms des colonnes."
        else:
            run.status = ImportRun.Status.DONE
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        return run
