"""Which organisme référent to suggest for a person's orientation, from the structures' kinds and zones.

A pure function over plain values: the decision page reads the structures whose zone covers the person's commune
and pre-selects the one suggested here; the orientation manager may choose another. This is Relais's own reading
of who usually accompanies each pathway in the département, not a rule of law: France Travail for the
professional pathway, the Département's services (then the CCAS) for the social and socio-professional ones, the
mission locale first for people under 26 in the professional and socio-professional pathways (Code du travail,
art. L5314-2).
"""

from dataclasses import dataclass

from people.publics import YOUNG_AGE_LIMIT

FRANCE_TRAVAIL = "france_travail"
MISSION_LOCALE = "mission_locale"
DEPARTEMENT = "departement"
MAISON_SOLIDARITES = "maison_solidarites"
CCAS = "ccas"

# The kinds of structure that usually accompany each pathway, most usual first.
PREFERRED_KINDS = {
    "professional": (FRANCE_TRAVAIL,),
    "socio_professional": (MAISON_SOLIDARITES, DEPARTEMENT, FRANCE_TRAVAIL, CCAS),
    "social": (MAISON_SOLIDARITES, DEPARTEMENT, CCAS),
}
YOUNG_FIRST = {"professional", "socio_professional"}

# How closely the structure's zone fits the commune: a structure named for the commune before one for its EPCI,
# before one for the whole département.
COMMUNE, EPCI, WHOLE_DEPARTEMENT = 0, 1, 2
ZONE_LABELS = {COMMUNE: "la commune", EPCI: "l'intercommunalité", WHOLE_DEPARTEMENT: "tout le département"}


@dataclass(frozen=True)
class Candidate:
    """A structure as the suggestion sees it: its kind and how its zone covers the person's commune (``zone`` is
    COMMUNE, EPCI or WHOLE_DEPARTEMENT, None when it does not cover it)."""

    key: object
    name: str
    kind: str
    zone: int | None


@dataclass(frozen=True)
class Suggestion:
    key: object
    name: str
    why: str


def preferred_kinds(pathway, age=None):
    kinds = PREFERRED_KINDS.get(pathway, ())
    if age is not None and age < YOUNG_AGE_LIMIT and pathway in YOUNG_FIRST:
        kinds = (MISSION_LOCALE, *kinds)
    return kinds


def suggest_referent_structure(candidates, *, pathway, age=None):
    """The competent organisme référent among ``candidates`` for ``pathway``, or None when no structure of a
    usual kind covers the commune. The usual kind first, then the closest zone, then the name."""
    kinds = preferred_kinds(pathway, age)
    eligible = [c for c in candidates if c.zone is not None and c.kind in kinds]
    if not eligible:
        return None
    best = min(eligible, key=lambda c: (kinds.index(c.kind), c.zone, c.name))
    young = best.kind == MISSION_LOCALE
    return Suggestion(
        key=best.key,
        name=best.name,
        why=(
            f"{'personne de moins de ' + str(YOUNG_AGE_LIMIT) + ' ans, ' if young else ''}"
            f"structure qui intervient sur {ZONE_LABELS[best.zone]}"
        ),
    )
