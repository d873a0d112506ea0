"""The structures that may be suggested as organisme référent for a person: read once from the database for the
pure suggestion of ``entry.referent_suggestion``."""

from django.db.models import Exists, OuterRef, Q

from accounts.models import Structure
from entry.referent_suggestion import COMMUNE, EPCI, WHOLE_DEPARTEMENT, Candidate, preferred_kinds


def candidates_for(commune):
    """The validated structures of the usual kinds whose zone covers ``commune``, with how closely (one query)."""
    if commune is None:
        return []
    kinds = {
        kind for pathway in ("professional", "socio_professional", "social") for kind in preferred_kinds(pathway, 0)
    }
    through_communes = Structure.zone_communes.through.objects.filter(structure=OuterRef("pk"), commune=commune.pk)
    through_epcis = Structure.zone_epcis.through.objects.filter(structure=OuterRef("pk"), epci=commune.epci_id)
    structures = (
        Structure.objects.filter(is_validated=True, kind__in=kinds)
        .annotate(in_commune=Exists(through_communes), in_epci=Exists(through_epcis))
        .filter(Q(in_commune=True) | Q(in_epci=True) | Q(covers_departement=True))
        .only("pk", "name", "kind", "covers_departement")
    )
    candidates = []
    for structure in structures:
        zone = COMMUNE if structure.in_commune else EPCI if structure.in_epci else WHOLE_DEPARTEMENT
        candidates.append(Candidate(key=structure.pk, name=structure.name, kind=structure.kind, zone=zone))
    return candidates
