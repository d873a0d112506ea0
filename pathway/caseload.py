"""« Mes personnes »: a professional's caseload, its columns, filters, sorting and export.

The caseload is the people in whose team the professional is, for the structure they act for. Its columns are a
registry: pathway's own (person, commune, status, référent, entry date) and those an upper app adds from its
``AppConfig.ready()`` (next appointment, contract, open alerts…)::

    register_column(
        "next_appointment",
        label="Prochain rendez-vous",
        value=lambda person: person.next_appointment,       # what the cell shows and the export writes
        annotate=lambda membership: {"next_appointment": Subquery(...)},  # computed by the caseload's query
        sort=("next_appointment",),                          # sortable by this annotation
        order=60,
    )

A column reads its value with no query of its own: either an annotation of the caseload's query (``annotate``,
which also makes it sortable), or ``load(rows, membership)``, one query for all the rows shown (or exported) that
sets what ``value`` reads. The page's query count stays the same whatever the number of people.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q

from pathway.models import Pathway
from people.models import Person


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    value: Callable
    order: int = 100
    annotate: Callable | None = None
    load: Callable | None = None
    sort: tuple = ()


_columns: dict[str, Column] = {}


def register_column(key, *, label, value, order=100, annotate=None, load=None, sort=()):
    _columns[key] = Column(
        key=key, label=label, value=value, order=order, annotate=annotate, load=load, sort=tuple(sort)
    )


def unregister_column(key):
    _columns.pop(key, None)


def columns():
    return sorted(_columns.values(), key=lambda column: (column.order, column.key))


def _referent(person):
    pathway = person.pathway
    if pathway.referent_id is None:
        return "à désigner"
    return str(pathway.referent)


register_column("person", label="Personne", value=lambda person: person.full_name, order=10, sort=("birth_name",))
register_column(
    "commune", label="Commune", value=lambda person: person.commune.name, order=20, sort=("commune__name",)
)
register_column(
    "status",
    label="État du parcours",
    value=lambda person: person.pathway.get_status_display(),
    order=30,
    sort=("pathway__status",),
)
register_column(
    "referent",
    label="Référent unique",
    value=_referent,
    order=40,
    sort=("pathway__referent__last_name", "pathway__referent__first_name"),
)
register_column(
    "entered_at",
    label="Entrée",
    value=lambda person: person.pathway.entered_at,
    order=50,
    sort=("pathway__entered_at",),
)

DEFAULT_SORT = "person"
TIE_BREAK = ("birth_name", "first_names", "pk")


def caseload_of(membership):
    """The people in whose team ``membership`` is, for the structure it acts for (one active row each). A person
    who objects to the sharing stays in the caseload of their organisme référent only (before any orientation, of
    the structure that entered them), as ``pathway.access.persons_visible_to`` says."""
    if membership is None:
        return Person.objects.none()
    return Person.objects.filter(
        Q(objects_to_sharing=False)
        | Q(pathway__referent_structure_id=membership.structure_id)
        | Q(pathway__referent_structure__isnull=True, created_for_id=membership.structure_id),
        merged_into__isnull=True,
        pathway__team__user_id=membership.user_id,
        pathway__team__structure_id=membership.structure_id,
        pathway__team__ended_at__isnull=True,
    )


def by_commune(membership, filters):
    """How many people of the caseload, with every filter but the commune, live in each commune: the commune
    filter's choices and, summed, the count of the list, in one query. ``[(code, name, count)]`` by name."""
    people = filtered(membership, {**filters, "commune": ""})
    return list(
        people.order_by("commune__name", "commune_id")
        .values("commune_id", "commune__name")
        .annotate(n=Count("pk"))
        .values_list("commune_id", "commune__name", "n")
    )


def filtered(membership, filters):
    """The caseload with the page's filters: ``statut`` (en_cours, tous, or a status), ``referent`` (oui, non),
    ``commune`` (INSEE code)."""
    people = caseload_of(membership)
    status = filters.get("statut") or "en_cours"
    if status == "en_cours":
        people = people.filter(pathway__status__in=Pathway.ACTIVE_STATUSES)
    elif status in Pathway.Status.values:
        people = people.filter(pathway__status=status)
    mine = {"pathway__referent_id": membership.user_id, "pathway__referent_structure_id": membership.structure_id}
    if filters.get("referent") == "oui":
        people = people.filter(**mine)
    elif filters.get("referent") == "non":
        people = people.exclude(**mine)
    if filters.get("commune"):
        people = people.filter(commune_id=filters["commune"])
    return people


def sort_key(value):
    """(column, descending) from ``tri`` (« entered_at » or « -entered_at »); unknown: the default."""
    descending = value.startswith("-")
    key = value.lstrip("-")
    column = _columns.get(key)
    if column is None or not column.sort:
        return DEFAULT_SORT, False
    return key, descending


def rows(membership, filters, sort=DEFAULT_SORT):
    """The caseload's query, with every column's annotations, sorted: nothing is read yet."""
    people = filtered(membership, filters).select_related("commune", "pathway", "pathway__referent")
    for column in columns():
        if column.annotate is not None:
            people = people.annotate(**column.annotate(membership))
    key, descending = sort_key(sort)
    fields = [f"-{field}" if descending else field for field in _columns[key].sort]
    return people.order_by(*fields, *TIE_BREAK)


def load(people, membership):
    """Let every column read what it needs for ``people`` (the rows shown or exported): one query per column."""
    people = list(people)
    for column in columns():
        if column.load is not None and people:
            column.load(people, membership)
    return people


def table(people, membership):
    """The values of every column for ``people``, as the page and the exports show them."""
    shown = columns()
    return [column.label for column in shown], [[column.value(person) for column in shown] for person in people]


# --- Exports -------------------------------------------------------------------------------------------------------

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value):
    """A text cell that a spreadsheet would read as a formula (=, +, -, @, tab, carriage return) starts with an
    apostrophe: it stays text."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def csv_value(value):
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if value is None:
        return ""
    return neutralised(str(value))
