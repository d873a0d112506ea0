"""data·inclusion files in and out: the export of Relais's published services and their structures, and the
import of a catalogue (the national open data, a partner's file) as read-only services marked with their source.

The import reads and checks every file before writing anything: broken JSON stops it with nothing imported.
Each record is checked with the package's pydantic models (and Relais's own rules: a service needs a zone and a
thématique to be found); an invalid record is reported with its reason and skipped, never half-written. Records
are upserted by source and identifier: a second run of the same file changes nothing.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
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
    refused: list = field(default_factory=list)

    def lines(self):
        lines = [
            f"Structures : {self.structures_created} créée(s), {self.structures_updated} mise(s) à jour, "
            f"{self.structures_unchanged} inchangée(s).",
            f"Services : {self.services_created} créé(s), {self.services_updated} mis à jour, "
            f"{self.services_unchanged} inchangé(s).",
        ]
        if self.refused:
            lines.append(f"Enregistrements refusés : {len(self.refused)}")
            lines += [f"  - {line}" for line in self.refused]
        return lines


def _read(path):
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ImportRefused(f"Le fichier « {path} » ne peut pas être lu ({error.strerror}).") from error
    except UnicodeDecodeError as error:
        raise ImportRefused(f"Le fichier « {path} » n'est pas encodé en UTF-8.") from error
    except json.JSONDecodeError as error:
        raise ImportRefused(
            f"Le fichier « {path} » n'est pas du JSON valide (ligne {error.lineno}, colonne {error.colno})."
        ) from error
    if isinstance(data, dict) and ("structures" in data or "services" in data):
        return data.get("structures") or [], data.get("services") or []
    if not isinstance(data, list):
        raise ImportRefused(f"Le fichier « {path} » doit contenir une liste d'enregistrements data·inclusion.")
    # A list of services names the structure of each; a list of structures does not.
    if any(isinstance(record, dict) and "structure_id" in record for record in data):
        return [], data
    return data, []


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


def _service_problems(record):
    problems = []
    if not record.zone_eligibilite:
        problems.append("zone d'éligibilité absente : le service ne serait trouvé nulle part")
    if not record.thematiques:
        problems.append("aucune thématique : le service ne serait trouvé par aucun besoin")
    return problems


def _changed(instance, values):
    return any(getattr(instance, name) != value for name, value in values.items())


def import_catalogue(path, *, source, dry_run=False):
    """Upsert the structures and services of ``path`` under ``source``. Returns the report."""
    source = source.strip()
    if not source:
        raise ImportRefused("Indiquez le nom de la source (--source).")
    structure_records, service_records = read(path)
    report = Report()
    structures = {}
    for index, record in enumerate(structure_records, start=1):
        valid, problems = schema.validate_structure(record)
        if problems:
            report.refused.append(f"{_label(record, index, 'structure')} : {' ; '.join(problems)}")
            continue
        structures[valid.id] = valid
    already = set(ExternalStructure.objects.filter(source=source).values_list("source_id", flat=True))
    services = []
    for index, record in enumerate(service_records, start=1):
        valid, problems = schema.validate_service(record)
        if valid is not None:
            problems = _service_problems(valid)
            if valid.structure_id not in structures and valid.structure_id not in already:
                problems.append(f"structure « {valid.structure_id} » inconnue (ni dans l'import, ni déjà importée)")
        if problems:
            report.refused.append(f"{_label(record, index, 'service')} : {' ; '.join(problems)}")
            continue
        services.append(valid)
    with transaction.atomic():
        external = _upsert_structures(structures.values(), source, report)
        _upsert_services(services, source, external, report)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _upsert_structures(records, source, report):
    sirets = {record.siret for record in records if record.siret}
    on_relais = {
        structure.siret: structure for structure in Structure.objects.filter(siret__in=sirets, is_validated=True)
    }
    existing = {item.source_id: item for item in ExternalStructure.objects.filter(source=source)}
    for record in records:
        values = {**structure_fields(record), "structure": on_relais.get(record.siret)}
        current = existing.get(record.id)
        if current is None:
            existing[record.id] = ExternalStructure.objects.create(source=source, source_id=record.id, **values)
            report.structures_created += 1
        elif _changed(current, values):
            for name, value in values.items():
                setattr(current, name, value)
            current.save()
            report.structures_updated += 1
        else:
            report.structures_unchanged += 1
    return existing


def _upsert_services(records, source, external, report):
    existing = {
        service.source_id: service
        for service in Service.objects.filter(source=source, source_id__in=[record.id for record in records])
    }
    for record in records:
        values = {**service_fields(record), "external_structure": external[record.structure_id]}
        service = existing.get(record.id)
        if service is None:
            service = Service(source=source, source_id=record.id, status=Service.Status.DRAFT, **values)
            service.save()
            write_keys(service)
            actions.publish_service(service, by=SYSTEM)
            report.services_created += 1
        elif _changed(service, values):
            for name, value in values.items():
                setattr(service, name, value)
            service.save()
            write_keys(service)
            if service.status != Service.Status.PUBLISHED:
                actions.publish_service(service, by=SYSTEM)
            report.services_updated += 1
        else:
            report.services_unchanged += 1
