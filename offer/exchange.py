"""data·inclusion files in and out: the export of Relais's published services and their structures, and the
import of a catalogue (the national open data, a partner's file) as read-only services marked with their source.

The import reads and checks every file before writing anything: broken JSON stops it with nothing imported.
Each record is checked with the package's pydantic models (and Relais's own rules: a service needs a zone and a
thématique to be found, values a service can hold); an invalid record, or an identifier met twice, is reported with
its reason and skipped, never half-written. Records are upserted by source and identifier: a second run of the same
file changes nothing. A catalogue is the whole of its source: the services it no longer lists are archived (out of
the search, their referrals under way go on), and published again when it lists them again.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Max

from accounts.models import Structure
from offer import actions, schema
from offer.data_inclusion import service_fields, service_record, structure_fields, structure_record
from offer.models import ExternalStructure, Service
from offer.search import write_keys
from relais.actions import SYSTEM

STRUCTURES_FILE, SERVICES_FILE = "structures.json", "services.json"


class ImportRefused(Exception):
    """The files cannot be imported at all (unreadable, broken JSON, not a list of records)."""


# Export


def export(directory):
    """Write ``structures.json`` and ``services.json`` in ``directory``. Returns (structures, services, errors)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    services = list(
        Service.objects.filter(source="", status=Service.Status.PUBLISHED)
        .select_related("structure", "structure__commune", "commune")
        .order_by("structure_id", "pk")
    )
    latest = dict(
        Service.objects.filter(pk__in=[service.pk for service in services])
        .values("structure_id")
        .annotate(latest=Max("updated_at"))
        .values_list("structure_id", "latest")
    )
    structures = (
        Structure.objects.filter(pk__in=latest).select_related("commune").prefetch_related("commune__postcodes")
    )
    structure_records = [structure_record(structure, updated_at=latest[structure.pk]) for structure in structures]
    service_records = [service_record(service) for service in services]
    errors = []
    for model, records in ((schema.v1.Structure, structure_records), (schema.v1.Service, service_records)):
        for record in records:
            _, problems = schema.validate(model, record)
            errors += [f"{record['id']} : {problem}" for problem in problems]
    for name, records in ((STRUCTURES_FILE, structure_records), (SERVICES_FILE, service_records)):
        (directory / name).write_text(json.dumps(records, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return len(structure_records), len(service_records), errors


# Import


@dataclass
class Report:
    structures_created: int = 0
    structures_updated: int = 0
    structures_unchanged: int = 0
    services_created: int = 0
    services_updated: int = 0
    services_unchanged: int = 0
    services_withdrawn: int = 0
    refused: list = field(default_factory=list)

    def lines(self):
        lines = [
            f"Structures : {self.structures_created} créée(s), {self.structures_updated} mise(s) à jour, "
            f"{self.structures_unchanged} inchangée(s).",
            f"Services : {self.services_created} créé(s), {self.services_updated} mis à jour, "
            f"{self.services_unchanged} inchangé(s).",
        ]
        if self.services_withdrawn:
            lines.append(
                f"Services retirés de la recherche, absents du catalogue (archivés) : {self.services_withdrawn}."
            )
        if self.refused:
            lines.append(f"Enregistrements refusés : {len(self.refused)}")
            lines += [f"  - {line}" for line in self.refused]
        return lines


# Keys only a service has (schema v1): a record with one of them is a service, whether it names its structure or not.
SERVICE_KEYS = {"structure_id", "thematiques", "zone_eligibilite", "publics", "modes_accueil", "frais", "type"}


def _read(path):
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise ImportRefused(f"Le fichier « {path} » ne peut pas être lu ({error.strerror}).") from error
    except UnicodeDecodeError as error:
        raise ImportRefused(f"Le fichier « {path} » n'est pas encodé en UTF-8.") from error
    except json.JSONDecodeError as error:
        raise ImportRefused(
            f"Le fichier « {path} » n'est pas du JSON valide (ligne {error.lineno}, colonne {error.colno})."
        ) from error
    if isinstance(data, dict) and ("structures" in data or "services" in data):
        structures, services = data.get("structures") or [], data.get("services") or []
        for name, records in (("structures", structures), ("services", services)):
            if not isinstance(records, list):
                raise ImportRefused(f"Dans le fichier « {path} », « {name} » doit être une liste d'enregistrements.")
        return structures, services
    if not isinstance(data, list):
        raise ImportRefused(f"Le fichier « {path} » doit contenir une liste d'enregistrements data·inclusion.")
    # Each record by what it holds: a service has a thématique, a zone, a structure… that a structure has not.
    services = [record for record in data if isinstance(record, dict) and SERVICE_KEYS & record.keys()]
    return [record for record in data if not (isinstance(record, dict) and SERVICE_KEYS & record.keys())], services


def read(path):
    """The structure and service records of a file, or of ``structures.json`` and ``services.json`` in a folder."""
    path = Path(path)
    if path.is_dir():
        files = [path / name for name in (STRUCTURES_FILE, SERVICES_FILE) if (path / name).exists()]
        if not files:
            raise ImportRefused(f"Le dossier « {path} » ne contient ni {STRUCTURES_FILE} ni {SERVICES_FILE}.")
    elif path.exists():
        files = [path]
    else:
        raise ImportRefused(f"« {path} » n'existe pas.")
    structures, services = [], []
    for file in files:
        found_structures, found_services = _read(file)
        structures += found_structures
        services += found_services
    return structures, services


def _label(record, index, kind):
    identifier = record.get("id") if isinstance(record, dict) else None
    return f"{kind} {identifier}" if identifier else f"{kind} n° {index}"


# What a zone code can be: a commune (INSEE, Corsica's 2A/2B included), a département, an EPCI or EPT (SIREN).
ZONE_CODE = re.compile(r"(\d{5}|2[AB]\d{3}|\d{2}|2[AB]|97\d|\d{9})")


def _service_problems(record):
    problems = []
    if not record.zone_eligibilite:
        problems.append("zone d'éligibilité absente : le service ne serait trouvé nulle part")
    unreadable = [
        code
        for code in record.zone_eligibilite or []
        if code not in schema.NATIONAL_ZONES and not ZONE_CODE.fullmatch(str(code))
    ]
    if unreadable:
        problems.append(
            "code de zone illisible (ni commune, ni département, ni intercommunalité) : "
            + ", ".join(f"« {code} »" for code in unreadable)
        )
    if not record.thematiques:
        problems.append("aucune thématique : le service ne serait trouvé par aucun besoin")
    return problems


def _changed(instance, values):
    return any(getattr(instance, name) != value for name, value in values.items())


# No field of a service or a structure is near this long: a longer text is a broken export, refused with its record.
LONGEST_TEXT = 20_000


def _too_long(record):
    if not isinstance(record, dict):
        return []
    return [
        f"« {name} » compte {len(value):,} caractères".replace(",", "\u202f")
        + ", bien plus qu'aucune fiche n'en tient"
        for name, value in record.items()
        if isinstance(value, str) and len(value) > LONGEST_TEXT
    ]


def _blank_as_missing(record):
    """An empty text is no value: « "courriel": "" » is an absent address, not an invalid one."""
    if not isinstance(record, dict):
        return record
    return {name: None if isinstance(value, str) and not value.strip() else value for name, value in record.items()}


def _check_fields(instance, values):
    """The values as the model can hold them (lengths, numbers in range…): ``ValidationError`` with French messages.
    An empty value is the schema's to allow (the forms ask more of a service typed in Relais)."""
    names = set(values) | {instance._meta.get_field(name).attname for name in values}
    try:
        instance.clean_fields(exclude=[field.name for field in instance._meta.fields if field.name not in names])
    except ValidationError as error:
        errors = {
            name: [problem for problem in problems if problem.code not in ("blank", "null", "required")]
            for name, problems in error.error_dict.items()
        }
        errors = {name: problems for name, problems in errors.items() if problems}
        if errors:
            raise ValidationError(errors) from None


def _reason(error):
    """The French reason of an error met while writing a record."""
    if isinstance(error, ValidationError) and hasattr(error, "message_dict"):
        return " ; ".join(f"{_verbose(name)} : {' '.join(messages)}" for name, messages in error.message_dict.items())
    if isinstance(error, actions.ServiceInvalid):
        return str(error)
    return "une valeur ne peut pas être enregistrée (nombre hors limites ou texte illisible)"


def _verbose(name):
    try:
        return str(Service._meta.get_field(name).verbose_name)
    except Exception:  # a field of the structure, or a general error
        return name


WRITE_ERRORS = (actions.ServiceInvalid, ValidationError, DatabaseError, ArithmeticError, OverflowError, ValueError)


def import_catalogue(path, *, source, dry_run=False):
    """Upsert the structures and services of ``path`` under ``source``. Returns the report."""
    source = source.strip()
    if not source:
        raise ImportRefused("Indiquez le nom de la source (--source).")
    structure_records, service_records = read(path)
    report = Report()
    structures, refused_structures = {}, set()
    for index, record in enumerate(map(_blank_as_missing, structure_records), start=1):
        valid, problems = schema.validate_structure(record)
        problems = _too_long(record) or problems
        if valid is not None and valid.id in structures:
            problems = [f"identifiant « {valid.id} » en double dans le fichier : seul le premier est importé"]
        if problems:
            report.refused.append(f"{_label(record, index, 'structure')} : {' ; '.join(problems)}")
            if isinstance(record, dict) and record.get("id"):
                refused_structures.add(str(record["id"]))
            continue
        structures[valid.id] = valid
    already = set(ExternalStructure.objects.filter(source=source).values_list("source_id", flat=True))
    services, listed = {}, set()
    for index, record in enumerate(map(_blank_as_missing, service_records), start=1):
        if isinstance(record, dict) and record.get("id"):
            listed.add(str(record["id"]))
        valid, problems = schema.validate_service(record)
        if valid is not None:
            problems = _too_long(record) or _service_problems(valid)
            if valid.id in services:
                problems = [f"identifiant « {valid.id} » en double dans le fichier : seul le premier est importé"]
            elif valid.structure_id in refused_structures and valid.structure_id not in already:
                problems.append(f"sa structure « {valid.structure_id} » est refusée (voir plus haut)")
            elif valid.structure_id not in structures and valid.structure_id not in already:
                problems.append(f"structure « {valid.structure_id} » inconnue (ni dans l'import, ni déjà importée)")
        if problems:
            report.refused.append(f"{_label(record, index, 'service')} : {' ; '.join(problems)}")
            continue
        services[valid.id] = valid
    with transaction.atomic():
        external = _upsert_structures(structures.values(), source, report)
        _upsert_services(services.values(), source, external, report)
        if service_records:
            # A catalogue is the whole of its source: what it no longer lists leaves the search (its referrals under
            # way go on). A record listed but refused keeps its last version.
            _withdraw(Service.objects.filter(source=source).exclude(source_id__in=listed), report)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _withdraw(dropped, report):
    for service in dropped.exclude(status=Service.Status.ARCHIVED).order_by("pk"):
        actions.archive_service(service, by=SYSTEM)
        report.services_withdrawn += 1


def _upsert_structures(records, source, report):
    sirets = {record.siret for record in records if record.siret}
    on_relais = {
        structure.siret: structure for structure in Structure.objects.filter(siret__in=sirets, is_validated=True)
    }
    existing = {item.source_id: item for item in ExternalStructure.objects.filter(source=source)}
    for record in records:
        values = {**structure_fields(record), "structure": on_relais.get(record.siret)}
        current = existing.get(record.id)
        try:
            with transaction.atomic():
                if current is None:
                    created = ExternalStructure(source=source, source_id=record.id, **values)
                    _check_fields(created, values)
                    created.save()
                    existing[record.id] = created
                    report.structures_created += 1
                elif _changed(current, values):
                    for name, value in values.items():
                        setattr(current, name, value)
                    _check_fields(current, values)
                    current.save()
                    report.structures_updated += 1
                else:
                    report.structures_unchanged += 1
        except WRITE_ERRORS as error:
            report.refused.append(f"structure {record.id} : {_reason(error)}")
            if current is not None:
                current.refresh_from_db()
    return existing


def _upsert_services(records, source, external, report):
    existing = {
        service.source_id: service
        for service in Service.objects.filter(source=source, source_id__in=[record.id for record in records])
    }
    for record in records:
        structure = external.get(record.structure_id)
        if structure is None:  # refused while written (``_upsert_structures``)
            report.refused.append(f"service {record.id} : sa structure « {record.structure_id} » est refusée")
            continue
        values = {**service_fields(record), "external_structure": structure}
        service = existing.get(record.id)
        try:
            # Each service in its own savepoint: one that cannot be written is refused with its reason, the others
            # are imported.
            with transaction.atomic():
                if service is None:
                    service = Service(source=source, source_id=record.id, status=Service.Status.DRAFT, **values)
                    _check(service, values)
                    service.save()
                    write_keys(service)
                    actions.publish_service(service, by=SYSTEM)
                    report.services_created += 1
                elif _changed(service, values):
                    for name, value in values.items():
                        setattr(service, name, value)
                    _check(service, values)
                    service.save()
                    write_keys(service)
                    if service.status != Service.Status.PUBLISHED:
                        actions.publish_service(service, by=SYSTEM)
                    report.services_updated += 1
                elif service.status != Service.Status.PUBLISHED:
                    # Back in the catalogue after it left it (``_withdraw``): found again.
                    actions.publish_service(service, by=SYSTEM)
                    report.services_updated += 1
                else:
                    report.services_unchanged += 1
        except WRITE_ERRORS as error:
            report.refused.append(f"service {record.id} : {_reason(error)}")


def _check(service, values):
    """What a service must be to be published, checked before it is written (a change as a creation)."""
    _check_fields(service, values)
    errors = actions.check_service(service)
    if errors:
        raise actions.ServiceInvalid(errors)
