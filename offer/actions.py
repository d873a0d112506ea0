"""Every change of the offer, one function each: services (create, edit, publish, suspend, archive, confirm) and
referrals (send, review, accept, refuse, start, complete, abandon, expire, remind).

Each action checks the access rule itself, locks what it changes, saves through ``save()`` (the change history
is written by ``audit.journal.track``), records each referral transition (who, when) and the event on the
person's timeline, and hands emails to ``after_commit``.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from offer import access, notify, schema
from offer.data_inclusion import service_record
from offer.models import EndReason, Referral, ReferralTransition, RefusalReason, Service
from offer.search import write_keys
from pathway import actions as team
from pathway import timeline
from pathway.models import Pathway
from relais.actions import SYSTEM, ActionError, Conflict, after_commit, require, require_actor
from relais.phone import normalise_phone
from territory.models import Commune, Departement, Epci

MANAGE_FORBIDDEN = "Seuls les administrateurs de la structure gèrent ses services."
IMPORTED_READ_ONLY = "Ce service vient d'un catalogue importé : il se met à jour par l'import, pas dans Relais."

# What a structure admin edits; the lifecycle fields are the actions' own.
EDITABLE_FIELDS = (
    "name",
    "description",
    "kind",
    "thematiques",
    "publics",
    "publics_details",
    "access_conditions",
    "documents",
    "fees",
    "fees_details",
    "reception_modes",
    "address",
    "address_complement",
    "postcode",
    "commune",
    "opening_hours",
    "phone",
    "email",
    "contact_name",
    "mobilisation_link",
    "mobilisation_modes",
    "mobilisable_by",
    "mobilisation_details",
    "weekly_hours",
    "weeks",
    "zone",
    "capacity",
    "places_open",
    "waiting_weeks",
    "response_days",
)


class ServiceInvalid(ActionError):
    """A service that cannot be saved: ``errors`` maps each field to its French messages."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__(" ; ".join(message for messages in errors.values() for message in messages))


def _user(by):
    return getattr(by, "user", None)


def _structure(by):
    return getattr(by, "structure", None)


# Services


def _zone_errors(zone, *, imported=False):
    if not zone:
        return [
            "Indiquez au moins une commune, un EPCI ou le département : sans zone, le service n'apparaît "
            "dans aucune recherche."
        ]
    if imported:
        return []  # Codes of the whole country, checked by the schema; the territory holds the département only.
    national = set(schema.NATIONAL_ZONES)
    codes = set(zone) - national
    known = set(Commune.objects.filter(code__in=codes).values_list("code", flat=True))
    known |= set(Epci.objects.filter(siren__in=codes).values_list("siren", flat=True))
    known |= set(Departement.objects.filter(code__in=codes).values_list("code", flat=True))
    return [f"Code inconnu dans la zone d'éligibilité : « {code} »." for code in sorted(codes - known)]


def check_service(service):
    """Every problem of ``service`` (unsaved changes included), by field: Relais's rules, then the schema's."""
    errors = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    name = (service.name or "").strip()
    if len(name) < 3 or len(name) > 150:
        add("name", "Le nom doit compter entre 3 et 150 caractères.")
    if len((service.description or "").strip()) < 5:
        add("description", "Décrivez le service en quelques phrases (5 caractères au moins).")
    for message in _zone_errors(service.zone, imported=service.is_imported):
        add("zone", message)
    if not service.thematiques:
        add("thematiques", "Choisissez au moins une thématique.")
    for value in service.thematiques:
        if value not in schema.THEMATIQUE_LABELS:
            add("thematiques", f"Thématique inconnue du référentiel national : « {value} ».")
    for value in service.publics:
        if value not in schema.PUBLIC_LABELS:
            add("publics", f"Public inconnu du référentiel national : « {value} ».")
    if schema.ALL_PUBLICS in service.publics and len(service.publics) > 1:
        add("publics", "« Tous publics » ne se combine pas avec d'autres publics.")
    lists = (
        ("kind", [service.kind] if service.kind else [], schema.TYPE_LABELS, "Type"),
        ("fees", [service.fees] if service.fees else [], schema.FEE_LABELS, "Frais"),
        ("reception_modes", service.reception_modes, schema.RECEPTION_LABELS, "Mode d'accueil"),
        ("mobilisation_modes", service.mobilisation_modes, schema.MOBILISATION_LABELS, "Mode de mobilisation"),
        ("mobilisable_by", service.mobilisable_by, schema.MOBILISABLE_BY_LABELS, "Mobilisable par"),
    )
    for field, values, known, label in lists:
        for value in values:
            if value not in known:
                add(field, f"{label} inconnu du référentiel national : « {value} ».")
    if service.email:
        try:
            validate_email(service.email)
        except ValidationError:
            add("email", "Cette adresse électronique n'est pas valide. Format attendu : nom@domaine.fr")
    if service.phone and not service.is_imported:
        try:
            service.phone = normalise_phone(service.phone)
        except ValidationError as error:
            add("phone", error.messages[0])
    if service.mobilisation_link:
        try:
            URLValidator(schemes=["http", "https"])(service.mobilisation_link)
        except ValidationError:
            add("mobilisation_link", "Ce lien n'est pas une adresse web valide (https://…).")
    if service.weekly_hours is not None and service.weekly_hours < 0:
        add("weekly_hours", "Le volume horaire ne peut pas être négatif.")
    if service.weeks is not None and service.weeks < 1:
        add("weeks", "Le nombre de semaines vaut au moins 1.")
    if service.response_days is not None and service.response_days < 1:
        add("response_days", "Le délai de réponse vaut au moins un jour.")
    if not errors and not service.is_imported:
        # What the schema itself says, for what Relais did not check above.
        _, schema_errors = schema.validate_service(service_record(service))
        for message in schema_errors:
            add("__all__", f"Non conforme au schéma data·inclusion : {message}")
    return errors


def _apply(service, data):
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Champs non modifiables : {sorted(unknown)}")
    for name, value in data.items():
        setattr(service, name, value)
    if "postcode" not in data:
        # The postcode follows the commune: one of its own kept, else its first (a commune changed).
        codes = []
        if service.commune is not None:
            codes = list(service.commune.postcodes.order_by("code").values_list("code", flat=True))
        if service.postcode not in codes:
            service.postcode = codes[0] if codes else ""


def _save_checked(service):
    errors = check_service(service)
    if errors:
        raise ServiceInvalid(errors)
    service.save()
    write_keys(service)


def create_service(*, by, structure, data):
    """A new service of ``structure``, as a draft. ``data`` holds the fields of ``EDITABLE_FIELDS``."""
    require_actor(by)
    require(by is SYSTEM or access.can_manage_services(by, structure), MANAGE_FORBIDDEN)
    service = Service(structure=structure, created_by=_user(by), status=Service.Status.DRAFT)
    _apply(service, data)
    with transaction.atomic():
        _save_checked(service)
    return service


def _locked(service):
    return Service.objects.select_for_update().get(pk=service.pk)


def _require_manage(by, service):
    require_actor(by)
    require(not service.is_imported, IMPORTED_READ_ONLY)
    require(by is SYSTEM or access.can_manage_service(by, service), MANAGE_FORBIDDEN)


def _changed_meanwhile(service):
    when = timezone.localtime(service.updated_at).strftime("%d/%m/%Y à %H:%M")
    return (
        f"Ce service a été modifié par quelqu'un d'autre le {when}, pendant que vous le modifiiez. "
        "Vos saisies sont conservées : rechargez la page du service, puis reportez vos changements."
    )


def update_service(service, *, by, data, version):
    """Change a service's description; refused if someone else saved it since ``version`` was read."""
    with transaction.atomic():
        locked = _locked(service)
        _require_manage(by, locked)
        if version is not None and locked.version != version:
            raise Conflict(_changed_meanwhile(locked))
        _apply(locked, data)
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.confirmation_reminded_at = None
        _save_checked(locked)
    return locked


def publish_service(service, *, by):
    """Draft or archived → published: every professional finds it. The only writer of « published »."""
    with transaction.atomic():
        locked = _locked(service)
        if not locked.is_imported:
            _require_manage(by, locked)
        else:
            require(by is SYSTEM, IMPORTED_READ_ONLY)
        if locked.status == Service.Status.PUBLISHED:
            return locked
        errors = check_service(locked)
        if errors:
            raise ServiceInvalid(errors)
        now = timezone.now()
        locked.status = Service.Status.PUBLISHED
        locked.published_at = now
        locked.archived_at = None
        if not locked.is_imported:
            locked.updated_at = now
        locked.save()
        write_keys(locked)
    return locked


def archive_service(service, *, by):
    """Published or draft → archived: out of the search; referrals under way go on. The only writer of « archived ».
    An imported service is archived by its catalogue's import only (it left the catalogue)."""
    with transaction.atomic():
        locked = _locked(service)
        if not locked.is_imported:
            _require_manage(by, locked)
        else:
            require_actor(by)
            require(by is SYSTEM, IMPORTED_READ_ONLY)
        if locked.status == Service.Status.ARCHIVED:
            return locked
        locked.status = Service.Status.ARCHIVED
        locked.archived_at = timezone.now()
        locked.save()
        write_keys(locked)
    return locked


def suspend_service(service, *, by, start, end=None, reason=""):
    """No new referral between ``start`` and ``end`` (included; no end: until resumed)."""
    if start is None:
        raise ServiceInvalid({"suspended_from": ["Indiquez le premier jour de la suspension."]})
    if end is not None and end < start:
        raise ServiceInvalid({"suspended_until": ["La fin de la suspension doit suivre son début."]})
    if end is not None and end < timezone.localdate():
        raise ServiceInvalid({"suspended_until": ["La fin de la suspension est déjà passée."]})
    with transaction.atomic():
        locked = _locked(service)
        _require_manage(by, locked)
        locked.suspended_from, locked.suspended_until, locked.suspension_reason = start, end, reason.strip()[:255]
        locked.updated_at = timezone.now()
        locked.save()
    return locked


def resume_service(service, *, by):
    """End a suspension now."""
    with transaction.atomic():
        locked = _locked(service)
        _require_manage(by, locked)
        locked.suspended_from = locked.suspended_until = None
        locked.suspension_reason = ""
        locked.updated_at = timezone.now()
        locked.save()
    return locked


def confirm_service(service, *, by):
    """The structure says the information is still right: the service is fresh again."""
    with transaction.atomic():
        locked = _locked(service)
        _require_manage(by, locked)
        locked.updated_at = timezone.now()
        locked.confirmation_reminded_at = None
        locked.save()
    return locked


def confirmation_due_before():
    return timezone.now() - relativedelta(months=settings.RELAIS_SERVICE_CONFIRMATION_MONTHS)


def remind_service_confirmation(service, *, by=SYSTEM):
    """A published service not confirmed for months: its structure's admins are asked to confirm it (once)."""
    require(by is SYSTEM)
    with transaction.atomic():
        locked = _locked(service)
        if (
            locked.is_imported
            or locked.status != Service.Status.PUBLISHED
            or locked.confirmation_reminded_at is not None
            or locked.updated_at > confirmation_due_before()
        ):
            return False
        locked.confirmation_reminded_at = timezone.now()
        locked.save(update_fields=["confirmation_reminded_at"])
        notify.service_confirmation_due(locked)
    return True


# Referrals


def _provider(service):
    return service.provider_name


def _record(referral, status, by, note=""):
    ReferralTransition.objects.create(
        referral=referral, status=status, by=_user(by), by_structure=_structure(by), note=note[:255]
    )


def _timeline(referral, kind, by, summary):
    timeline.record(referral.person, kind=kind, by=by, summary=summary, obj=referral)


def send_referral(person, service, *, by, message="", share_contact=False, share_diagnostic=False):
    """Orient ``person`` to ``service``: the receiving structure finds it in its inbox and is told by email."""
    require_actor(by)
    require(
        by is not SYSTEM and access.can_refer(by, person), "Vous ne pouvez orienter que les personnes que vous suivez."
    )
    service = Service.objects.select_related("structure", "external_structure__structure").get(pk=service.pk)
    if service.status != Service.Status.PUBLISHED:
        raise ActionError("Ce service n'est plus proposé : il n'est pas publié.")
    if service.is_suspended():
        until = f" jusqu'au {service.suspended_until:%d/%m/%Y}" if service.suspended_until else ""
        raise ActionError(f"Ce service est suspendu{until} : il ne reçoit pas d'orientation pour l'instant.")
    already = Referral.objects.filter(person=person, service=service, status__in=Referral.OPEN).first()
    if already is not None:
        raise ActionError(_already_open(already))
    now = timezone.now()
    referral = Referral(
        person=person,
        service=service,
        sender=by.user,
        sender_structure=by.structure,
        receiver_structure=service.receiving_structure,
        message=message.strip(),
        share_contact=share_contact,
        share_diagnostic=share_diagnostic,
        sent_at=now,
        due_on=timezone.localdate(now) + datetime.timedelta(days=service.response_days),
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                referral.save()
        except IntegrityError:
            raise ActionError(_already_open(Referral.objects.filter(person=person, service=service).first())) from None
        _record(referral, Referral.Status.SENT, by)
        _timeline(
            referral, "offer.referral_sent", by, f"Orientation vers « {service.name} » ({_provider(service)}) envoyée"
        )
        after_commit(notify.referral_sent, referral.pk)
    return referral


def _already_open(referral):
    if referral is None:
        return "Cette personne a déjà une orientation en cours vers ce service."
    return (
        f"Cette personne a déjà une orientation en cours vers ce service (envoyée le "
        f"{timezone.localtime(referral.sent_at):%d/%m/%Y}, {referral.get_status_display()})."
    )


def _answered(referral):
    """What the second professional reads when someone else moved the referral first."""
    last = referral.transitions.select_related("by", "by_structure").order_by("-at", "-id").first()
    who = ""
    if last is not None and last.by is not None:
        who = f" par {last.by}" + (f" ({last.by_structure})" if last.by_structure else "")
    when = f" le {timezone.localtime(last.at):%d/%m/%Y à %H:%M}" if last is not None else ""
    return (
        f"Cette orientation est déjà « {referral.get_status_display()} »{who}{when}. "
        "Rechargez la page pour voir où elle en est."
    )


def _move(locked, *, by, to, kind, summary, note="", then=None, **changes):
    """Write one transition of a locked referral: its status, the transition, the timeline, the prescriber told."""
    locked.status = to
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.save()
    _record(locked, to, by, note)
    _timeline(locked, kind, by, summary.format(service=locked.service.name, provider=_provider(locked.service)))
    if then is not None:
        then(locked)
    notify.referral_changed(locked, to, by)


def _is_past_due(referral, today=None):
    return referral.status in Referral.AWAITING and referral.due_on < (today or timezone.localdate())


def _expire(locked):
    days = locked.service.response_days
    _move(
        locked,
        by=SYSTEM,
        to=Referral.Status.EXPIRED,
        kind="offer.referral_expired",
        summary="Orientation vers « {service} » expirée sans réponse de {provider}",
        note=f"sans réponse dans le délai de {days} jour{'s' if days > 1 else ''}",
        ended_at=timezone.now(),
    )


def _expired_meanwhile(referral):
    return (
        f"Le délai de réponse de cette orientation a pris fin le {referral.due_on:%d/%m/%Y} : elle a expiré. Le "
        "prescripteur en est prévenu et peut orienter la personne de nouveau."
    )


def _transition(referral, *, by, allowed_from, to, kind, summary, note="", then=None, **changes):
    require_actor(by)
    expired = False
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        require(
            by is SYSTEM or access.can_answer_referral(by, locked),
            "Seule la structure qui reçoit cette orientation peut y répondre.",
        )
        if _is_past_due(locked):
            # Answered after its response time, before the daily run came by: it expires now, as it would have.
            _expire(locked)
            expired = True
        elif locked.status not in allowed_from:
            raise Conflict(_answered(locked))
        else:
            _move(locked, by=by, to=to, kind=kind, summary=summary, note=note, then=then, **changes)
    if expired:
        raise Conflict(_expired_meanwhile(locked))
    return locked


def review_referral(referral, *, by):
    """The receiving structure starts studying the referral."""
    return _transition(
        referral,
        by=by,
        allowed_from=(Referral.Status.SENT,),
        to=Referral.Status.UNDER_REVIEW,
        kind="offer.referral_under_review",
        summary="Orientation vers « {service} » en cours d'étude par {provider}",
    )


def accept_referral(referral, *, by, message=""):
    """The receiving structure accepts: the professional who answers joins the person's team."""
    receiving = by is not SYSTEM and by.structure_id == referral.receiver_structure_id

    def join(locked):
        # The professional who accepts joins the person's team as intervenant (a person entered through the
        # carnet always has a pathway; one without it has no team to join).
        if receiving and Pathway.objects.filter(person_id=locked.person_id).exists():
            team.join_team(locked.person, by=by, reason=f"orientation vers « {locked.service.name} » acceptée")

    return _transition(
        referral,
        by=by,
        allowed_from=Referral.AWAITING,
        to=Referral.Status.ACCEPTED,
        kind="offer.referral_accepted",
        summary="Orientation vers « {service} » acceptée par {provider}",
        then=join,
        answered_at=timezone.now(),
        answered_by=_user(by),
        answer_message=message.strip(),
        handled_by=by.user if receiving else None,
    )


def refuse_referral(referral, *, by, reason, message=""):
    """The receiving structure refuses, with a structured reason (and a text for « autre motif »)."""
    if reason not in RefusalReason.values:
        raise ActionError("Choisissez le motif du refus.")
    if reason == RefusalReason.OTHER and not message.strip():
        raise ActionError("Précisez le motif du refus.")
    return _transition(
        referral,
        by=by,
        allowed_from=Referral.AWAITING,
        to=Referral.Status.REFUSED,
        kind="offer.referral_refused",
        summary=f"Orientation vers « {{service}} » refusée par {{provider}} : {RefusalReason(reason).label}",
        note=RefusalReason(reason).label,
        answered_at=timezone.now(),
        answered_by=_user(by),
        refusal_reason=reason,
        answer_message=message.strip(),
    )


def start_referral(referral, *, by, started_on=None):
    """The person has started with the service."""
    started_on = started_on or timezone.localdate()
    if started_on > timezone.localdate():
        raise ActionError("La date de début ne peut pas être dans le futur.")
    if started_on < timezone.localdate(referral.sent_at):
        raise ActionError("La date de début ne peut pas précéder l'envoi de l'orientation.")
    return _transition(
        referral,
        by=by,
        allowed_from=(Referral.Status.ACCEPTED,),
        to=Referral.Status.STARTED,
        kind="offer.referral_started",
        summary=f"Accompagnement « {{service}} » commencé le {started_on:%d/%m/%Y} ({{provider}})",
        started_on=started_on,
    )


def complete_referral(referral, *, by, detail=""):
    """The person went through the service to its end."""
    return _transition(
        referral,
        by=by,
        allowed_from=(Referral.Status.STARTED,),
        to=Referral.Status.COMPLETED,
        kind="offer.referral_completed",
        summary="Accompagnement « {service} » terminé ({provider})",
        ended_at=timezone.now(),
        end_detail=detail.strip(),
    )


def abandon_referral(referral, *, by, reason, detail=""):
    """The person stopped before the end (or never came), with a structured reason."""
    if reason not in EndReason.values:
        raise ActionError("Choisissez le motif de l'abandon.")
    if reason == EndReason.OTHER and not detail.strip():
        raise ActionError("Précisez le motif de l'abandon.")
    return _transition(
        referral,
        by=by,
        allowed_from=(Referral.Status.ACCEPTED, Referral.Status.STARTED),
        to=Referral.Status.ABANDONED,
        kind="offer.referral_abandoned",
        summary=f"Accompagnement « {{service}} » abandonné ({{provider}}) : {EndReason(reason).label}",
        note=EndReason(reason).label,
        ended_at=timezone.now(),
        end_reason=reason,
        end_detail=detail.strip(),
    )


def expire_referral(referral, *, by=SYSTEM, today=None):
    """Unanswered in the service's response time: the prescriber is told and can orient elsewhere."""
    require(by is SYSTEM)
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if locked.status not in Referral.AWAITING:
            raise Conflict(_answered(locked))
        if not _is_past_due(locked, today):
            return None
        _expire(locked)
    return locked


def remind_referral(referral, *, by=SYSTEM):
    """Still unanswered some days after it was sent: the receiving structure is reminded, once."""
    require(by is SYSTEM)
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if locked.status not in Referral.AWAITING or locked.reminded_at is not None:
            return False
        locked.reminded_at = timezone.now()
        locked.save(update_fields=["reminded_at", "updated_at"])
        after_commit(notify.referral_reminder, locked.pk)
    return True
