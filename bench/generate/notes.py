"""Notes of the carnets: follow-up and contact notes written by the professionals who follow each person.

For every oriented or accompanied pathway, a few notes over the months of the follow-up. The latest individual
contact draws the rupture rule « no contact »: for about three accompanied people in four it is less than
60 days old, for the others older (or there is none); an oriented person without référent was contacted by the
professional who entered them for one in two. The notes are for the team, some for the structure or their author,
a few sensitive. Written with ``bulk_create`` (no ``save()``): the folded text of the search is computed here.
"""

import time
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from bench.database import BENCH_DOMAIN
from pathway.models import Note, Pathway, Visibility
from relais.text import fold

LABEL = "Notes des carnets"
BATCH = 5_000
RECENT_CONTACT = {Pathway.Status.ACCOMPANIED: 0.75, Pathway.Status.ORIENTED: 0.5}
TEXTS = [
    "Point sur les démarches de recherche d'emploi : candidatures envoyées cette semaine.",
    "Entretien sur le projet de formation ; dossier de financement à compléter.",
    "Rendez-vous pris avec la conseillère logement pour la demande de logement social.",
    "Relance pour les justificatifs de la déclaration trimestrielle.",
    "Atelier CV suivi ; la personne souhaite une immersion en entreprise.",
    "Échange sur la garde des enfants pendant la formation.",
    "Point sur la mobilité : aide au permis de conduire à solliciter.",
    "La personne a repris un emploi à temps partiel, à suivre.",
]
SENSITIVE_TEXTS = [
    "Suivi médical en cours, à prendre en compte pour le rythme de l'accompagnement.",
    "Situation familiale difficile évoquée en entretien.",
]
MODES = [Note.ContactMode.IN_PERSON, Note.ContactMode.IN_PERSON, Note.ContactMode.PHONE, Note.ContactMode.VIDEO]


def _followed():
    return Pathway.objects.filter(
        status__in=list(RECENT_CONTACT), person__created_by__email__endswith=f"@{BENCH_DOMAIN}"
    )


def is_generated(scale):
    return scale.people == 0 or Note.objects.filter(author__email__endswith=f"@{BENCH_DOMAIN}").exists()


def counts(scale):
    notes = Note.objects.filter(author__email__endswith=f"@{BENCH_DOMAIN}")
    return {"notes": notes.count(), "dont notes de contact": notes.filter(kind=Note.Kind.CONTACT).count()}


def _note(rng, pathway, author, structure, day, now, contact):
    sensitive = rng.random() < 0.05
    text = rng.choice(SENSITIVE_TEXTS if sensitive else TEXTS)
    if sensitive:
        visibility = Visibility.AUTHOR if rng.random() < 0.7 else Visibility.STRUCTURE
    else:
        visibility = rng.choices(
            [Visibility.TEAM, Visibility.STRUCTURE, Visibility.AUTHOR, Visibility.PERSON], weights=[80, 10, 5, 5]
        )[0]
    at = timezone.make_aware(timezone.datetime(day.year, day.month, day.day, rng.randint(9, 17), rng.randint(0, 59)))
    return Note(
        person_id=pathway["person_id"],
        kind=Note.Kind.CONTACT if contact else Note.Kind.FOLLOW_UP,
        contact_on=day if contact else None,
        contact_mode=rng.choice(MODES) if contact else "",
        text=text,
        text_search=fold(text),
        sensitive=sensitive,
        visibility=visibility,
        author_id=author,
        structure_id=structure,
        created_at=min(at, now),
    )


def generate(rng, scale, report=print):
    _generate(rng, report)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE pathway_note")


@transaction.atomic
def _generate(rng, report):
    started = time.perf_counter()
    today, now = timezone.localdate(), timezone.now()
    rows = _followed().values(
        "person_id",
        "status",
        "referent_id",
        "referent_structure_id",
        "oriented_at",
        "entered_at",
        "person__created_by_id",
        "person__created_for_id",
    )
    notes, written = [], 0
    for pathway in rows.order_by("pk").iterator(chunk_size=BATCH):
        if pathway["referent_id"]:
            author, structure = pathway["referent_id"], pathway["referent_structure_id"]
        else:
            author, structure = pathway["person__created_by_id"], pathway["person__created_for_id"]
        if author is None or structure is None:
            continue
        start = timezone.localtime(pathway["oriented_at"]).date() if pathway["oriented_at"] else pathway["entered_at"]
        span = max((today - start).days, 1)
        for _ in range(rng.randint(0, 3)):
            day = start + timedelta(days=rng.randrange(span))
            notes.append(_note(rng, pathway, author, structure, day, now, contact=rng.random() < 0.4))
        if rng.random() < RECENT_CONTACT[pathway["status"]]:
            day = today - timedelta(days=rng.randint(0, min(59, span)))
        elif span > 60 and rng.random() < 0.6:
            day = today - timedelta(days=rng.randint(61, span))
        else:
            day = None
        if day is not None and day >= start:
            notes.append(_note(rng, pathway, author, structure, day, now, contact=True))
        if len(notes) >= BATCH:
            Note.objects.bulk_create(notes, batch_size=BATCH)
            written += len(notes)
            notes = []
    Note.objects.bulk_create(notes, batch_size=BATCH)
    written += len(notes)
    report(f"  {written:,} notes en {time.perf_counter() - started:.0f} s".replace(",", "\u202f"))
