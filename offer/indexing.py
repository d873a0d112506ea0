"""What a service can be found by: its search keys and its folded text, derived from its fields.

Kept apart from the models and the search so that the bench generator and the import compute them the same way
as ``Service.save()`` and the actions do.
"""

from offer import schema
from relais.text import fold

ZONE, CATEGORY, THEMATIQUE, PUBLIC, KIND, FEES, RECEPTION = "z", "c", "t", "p", "ty", "f", "m"
NATIONAL = "france"


def key(prefix, value):
    return f"{prefix}:{value}"


def zone_key(code):
    return key(ZONE, NATIONAL if code in schema.NATIONAL_ZONES else code)


def keys_for(service):
    """The sorted search keys of ``service`` (any object with the Service fields)."""
    keys = {zone_key(code) for code in service.zone or []}
    for value in service.thematiques or []:
        keys.add(key(THEMATIQUE, value))
        keys.add(key(CATEGORY, schema.category_of(value)))
    # A service that names no public is found whatever the public asked, as one « tous publics ».
    keys.update(key(PUBLIC, value) for value in (service.publics or [schema.ALL_PUBLICS]))
    if service.kind:
        keys.add(key(KIND, service.kind))
    if service.fees:
        keys.add(key(FEES, service.fees))
    keys.update(key(RECEPTION, value) for value in service.reception_modes or [])
    return sorted(keys)


def search_text_for(service, provider_name=""):
    """The folded words a free-text search looks in: name, provider, thématiques, place and description."""
    parts = [
        service.name,
        provider_name,
        " ".join(schema.thematique_label(value) for value in service.thematiques or []),
        " ".join(schema.CATEGORY_LABELS.get(schema.category_of(value), "") for value in service.thematiques or []),
        service.commune_name,
        service.description,
    ]
    return f" {fold(' '.join(part for part in parts if part))} "
