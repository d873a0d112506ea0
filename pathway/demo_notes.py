"""Demo carnets: notes of each visibility on the demo people who are oriented or accompanied, the information on
the sharing given by the notification letter, one objection, and the rupture alerts these situations raise (some
already taken in charge). Deterministic and idempotent; written through the actions, as a professional would."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership
from pathway import alert_actions, note_actions, objection_actions, ruptures
from pathway.models import OPEN_ALERT_STATUSES, Alert, Note, Pathway, SharingFact, TimelineEvent, Visibility

DEMO_DOMAIN = "@demo.relais.test"
FOLLOW_UPS = [
    "Point sur les candidatures envoyées ; deux entretiens prévus le mois prochain.",
    "Projet de formation d'aide-soignante : dossier de financement à compléter avec la région.",
    "Demande de logement social déposée ; rendez-vous avec la conseillère logement.",
    "Atelier CV suivi avec assiduité ; une immersion en entreprise est envisagée.",
    "Aide au permis de conduire à solliciter auprès du Département.",
]
CONTACTS = [
    "Entretien : la personne a repris confiance, elle cible les métiers de la logistique.",
    "Appel : la garde des enfants est trouvée à partir de la rentrée.",
    "Entretien en visio : point sur les démarches de la semaine.",
]
STRUCTURE_NOTES = ["Dossier d'aide financière à instruire par notre service avant la fin du mois."]
SENSITIVE = ["Suivi médical en cours : prévoir des rendez-vous courts, pas avant 10 h."]
SHARED = ["Prochaines étapes convenues ensemble : mettre à jour le CV et s'inscrire à l'atelier numérique."]


def _writer(pathway):
    """The référent, or the professional who entered the person while no référent is designated."""
    if pathway.referent_id:
        return Membership.objects.filter(
            user_id=pathway.referent_id, structure_id=pathway.referent_structure_id, is_active=True
        ).first()
    member = pathway.team.filter(ended_at__isnull=True).order_by("pk").first()
    if member is None:
        return None
    return Membership.objects.filter(user_id=member.user_id, structure_id=member.structure_id, is_active=True).first()


def _backdate(note, days):
    """The note was written ``days`` ago: the note and its timeline event say so."""
    at = timezone.now() - timedelta(days=days, hours=3)
    note.created_at = at
    note.save(update_fields=["created_at"])
    for event in TimelineEvent.objects.filter(obj_type=Note._meta.label_lower, obj_id=str(note.public_id)):
        event.at = at
        event.save(update_fields=["at"])


def _notes_for(rng, index, pathway, writer, today, lately=True):
    person = pathway.person
    started = (today - timezone.localtime(pathway.oriented_at).date()).days if pathway.oriented_at else 30
    note = note_actions.write_note(person, by=writer, text=rng.choice(FOLLOW_UPS), visibility=Visibility.TEAM)
    _backdate(note, max(started - 5, 1))
    contact_days = rng.randint(3, 40) if lately else rng.randint(65, 90)
    if contact_days < started:
        note = note_actions.write_note(
            person,
            by=writer,
            text=rng.choice(CONTACTS),
            kind=Note.Kind.CONTACT,
            contact_on=today - timedelta(days=contact_days),
            contact_mode=rng.choice(list(Note.ContactMode)),
        )
        _backdate(note, contact_days)
    if index % 3 == 0:
        note = note_actions.write_note(person, by=writer, text=STRUCTURE_NOTES[0], visibility=Visibility.STRUCTURE)
        _backdate(note, rng.randint(1, 20))
    if index % 5 == 0:
        note = note_actions.write_note(person, by=writer, text=SENSITIVE[0], sensitive=True)
        _backdate(note, rng.randint(1, 20))
    if index % 4 == 1:
        note = note_actions.write_note(person, by=writer, text=SHARED[0], visibility=Visibility.PERSON)
        _backdate(note, rng.randint(1, 10))


@transaction.atomic
def seed_notes():
    """Notes, information on the sharing, one objection and alerts for the demo people. Returns how many notes the
    demo carnets hold."""
    demo_notes = Note.objects.filter(author__email__endswith=DEMO_DOMAIN)
    if demo_notes.exists():
        return demo_notes.count()
    rng = random.Random(2026)
    today = timezone.localdate()
    pathways = (
        Pathway.objects.filter(
            person__created_by__email__endswith=DEMO_DOMAIN,
            status__in=[Pathway.Status.ORIENTED, Pathway.Status.ACCOMPANIED],
        )
        .select_related("person")
        .order_by("pk")
    )
    accompanied = []
    for index, pathway in enumerate(pathways):
        writer = _writer(pathway)
        if writer is None:
            continue
        if pathway.status == Pathway.Status.ACCOMPANIED:
            # The demo decides every orientation on the day it is seeded; in the story it tells, the follow-up of an
            # accompanied person started three weeks after they entered, so that their carnet has a past.
            pathway.oriented_at = timezone.now() - timedelta(days=max((today - pathway.entered_at).days - 21, 0))
            pathway.save(update_fields=["oriented_at", "updated_at"])
        # Three accompanied people in four had an individual contact lately; the others none for 60 days and more.
        _notes_for(rng, index, pathway, writer, today, lately=len(accompanied) % 4 != 3)
        informed_on = timezone.localtime(pathway.oriented_at).date() if pathway.oriented_at else today
        objection_actions.record_information(
            pathway.person, by=writer, on=min(informed_on, today), channel=SharingFact.Channel.LETTER
        )
        if pathway.status == Pathway.Status.ACCOMPANIED:
            accompanied.append((pathway, writer))
    if accompanied:
        # One person objects to the sharing: only their organisme référent keeps the carnet.
        pathway, writer = accompanied[len(accompanied) // 2]
        objection_actions.record_objection(
            pathway.person,
            by=writer,
            on=today - timedelta(days=7),
            channel=SharingFact.Channel.INTERVIEW,
            comment="Ne souhaite pas que ses informations circulent au-delà de son référent.",
        )
    ruptures.compute()
    # Some alerts are already being handled by the référent.
    for alert in (
        Alert.objects.filter(status__in=OPEN_ALERT_STATUSES, person__pathway__referent__isnull=False)
        .select_related("person__pathway")
        .order_by("pk")[::5]
    ):
        pathway = alert.person.pathway
        referent = Membership.objects.filter(
            user_id=pathway.referent_id, structure_id=pathway.referent_structure_id, is_active=True
        ).first()
        if referent is not None:
            alert_actions.take_in_charge(alert, by=referent)
    return demo_notes.count()
