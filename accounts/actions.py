"""State changes of structures, one function each: they check the access rule themselves.

``by`` is the membership the actor acts through (its user is the one recorded).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts import access
from accounts.models import Invitation, JoinRequest, Membership, Role, Structure, StructureChange
from accounts.notifications import notify
from relais.actions import ActionError, after_commit

Status = StructureChange.Status


class AlreadyDecided(Exception):
    """The change was accepted, refused or withdrawn meanwhile (by another coordinator, say)."""


@dataclass(frozen=True)
class Zone:
    """What a coordinator validates: the kind of the structure and where it intervenes."""

    kind: str
    covers_departement: bool
    communes: frozenset
    epcis: frozenset

    @classmethod
    def of(cls, holder):
        """The zone of a structure or of a requested change."""
        return cls(
            kind=holder.kind,
            covers_departement=holder.covers_departement,
            communes=frozenset(holder.zone_communes.values_list("pk", flat=True)),
            epcis=frozenset(holder.zone_epcis.values_list("pk", flat=True)),
        )

    @classmethod
    def requested(cls, *, kind, covers_departement, zone_communes, zone_epcis):
        # The whole département leaves no room for a list of communes or EPCI.
        return cls(
            kind=kind,
            covers_departement=bool(covers_departement),
            communes=frozenset() if covers_departement else frozenset(c.pk for c in zone_communes),
            epcis=frozenset() if covers_departement else frozenset(e.pk for e in zone_epcis),
        )

    def write_to(self, holder, update_fields=None):
        holder.kind = self.kind
        holder.covers_departement = self.covers_departement
        holder.save(update_fields=update_fields)
        holder.zone_communes.set(self.communes)
        holder.zone_epcis.set(self.epcis)


def edit_structure(
    structure, *, by, name, siret, address, commune, email, phone, kind, covers_departement, zone_communes, zone_epcis
):
    """Save a structure's details. Its kind and zone apply at once when a coordinator changes them; a
    structure admin's change of them waits for a coordinator (returned, pending), the structure keeping its
    current kind and zone meanwhile. Asking again for the current kind and zone withdraws the request."""
    if not access.can_edit_structure(by, structure):
        raise PermissionDenied("Seuls les administrateurs de la structure et la coordination la modifient.")
    requested = Zone.requested(
        kind=kind, covers_departement=covers_departement, zone_communes=zone_communes, zone_epcis=zone_epcis
    )
    now = timezone.now()
    with transaction.atomic():
        structure = Structure.objects.select_for_update().get(pk=structure.pk)
        structure.name, structure.siret, structure.address = name, siret, address
        structure.commune, structure.email, structure.phone = commune, email, phone
        try:
            with transaction.atomic():
                structure.save(update_fields=["name", "siret", "address", "commune", "email", "phone"])
        except IntegrityError:
            # Only one structure awaiting validation per SIRET (``structure_one_pending_per_siret``).
            raise ActionError(
                "Une autre structure attend déjà la validation de la coordination avec ce SIRET : vérifiez le numéro."
            ) from None
        current = Zone.of(structure)
        pending = (
            StructureChange.objects.select_for_update().filter(structure=structure, status=Status.PENDING).first()
        )
        if access.can_validate_structures(by):
            if requested != current:
                # Recorded as accepted at once: the history of kinds and zones stays complete.
                change = StructureChange(
                    structure=structure,
                    status=Status.ACCEPTED,
                    requested_by=by.user,
                    requested_at=now,
                    decided_by=by.user,
                    decided_at=now,
                )
                requested.write_to(change)
                requested.write_to(structure, update_fields=["kind", "covers_departement"])
            return None
        if requested == current:
            if pending is not None:
                pending.status, pending.decided_by, pending.decided_at = Status.WITHDRAWN, by.user, now
                pending.save(update_fields=["status", "decided_by", "decided_at"])
            return None
        if pending is None:
            pending = StructureChange(structure=structure, requested_by=by.user, requested_at=now)
            requested.write_to(pending)
        elif Zone.of(pending) != requested:
            pending.requested_by, pending.requested_at = by.user, now
            requested.write_to(pending, update_fields=["kind", "covers_departement", "requested_by", "requested_at"])
        return pending


def decide_structure_change(change, *, by, accept, note=""):
    """A coordinator accepts (the structure takes the requested kind and zone) or refuses a change."""
    if not access.can_validate_structures(by):
        raise PermissionDenied("Seule la coordination valide les changements de type ou de zone.")
    with transaction.atomic():
        change = StructureChange.objects.select_for_update().select_related("structure").get(pk=change.pk)
        if change.status != Status.PENDING:
            raise AlreadyDecided
        structure = Structure.objects.select_for_update().get(pk=change.structure_id)
        if accept:
            Zone.of(change).write_to(structure, update_fields=["kind", "covers_departement"])
        change.status = Status.ACCEPTED if accept else Status.REFUSED
        change.decided_by, change.decided_at, change.decision_note = by.user, timezone.now(), note.strip()[:500]
        change.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return change


# --- A partner asks to join; a coordinator validates it --------------------------------------------------------------


ALREADY_ASKED = (
    "Une demande d'inscription pour ce SIRET attend déjà la validation de la coordination : vous serez "
    "prévenu par courriel."
)


def request_to_join(
    *,
    name,
    siret,
    kind,
    address,
    commune,
    email,
    phone,
    covers_departement,
    zone_communes,
    zone_epcis,
    first_name,
    last_name,
    requester_email,
    job_title="",
):
    """A partner not yet on Relais asks to join with its SIRET (already checked): the structure is recorded, not
    validated, and the coordination is told. One structure per SIRET: an antenna of a structure on Relais asks
    its administrator for an invitation instead."""
    try:
        with transaction.atomic():
            # Locks the structure already there. When there is none, nothing is locked: two requests sent at the
            # same moment both get past this, and the database keeps one pending structure per SIRET.
            existing = Structure.objects.select_for_update().filter(siret=siret).first()
            if existing is not None and existing.is_validated:
                raise ActionError(
                    f"La structure « {existing.name} » est déjà sur Relais avec ce SIRET : demandez une invitation "
                    "à son administrateur."
                )
            if existing is not None:
                raise ActionError(ALREADY_ASKED)
            structure = Structure(
                name=name, siret=siret, kind=kind, address=address, commune=commune, email=email, phone=phone
            )
            structure.save()
            Zone.requested(
                kind=kind, covers_departement=covers_departement, zone_communes=zone_communes, zone_epcis=zone_epcis
            ).write_to(structure, update_fields=["kind", "covers_departement"])
            request = JoinRequest.objects.create(
                structure=structure,
                structure_name=structure.name,
                siret=structure.siret,
                first_name=first_name,
                last_name=last_name,
                email=requester_email.lower(),
                job_title=job_title,
            )
            coordinators = Membership.objects.filter(
                is_coordinator=True, is_active=True, structure__is_validated=True, user__is_active=True
            ).select_related("user")
            path = reverse("accounts:structure_detail", kwargs={"public_id": structure.public_id})
            for user in {membership.user for membership in coordinators}:
                notify(
                    user,
                    subject="Une structure demande à rejoindre Relais",
                    body=f"« {structure.name} » (SIRET {structure.siret}) demande son inscription : vérifiez-la, "
                    "puis validez-la.",
                    path=path,
                )
    except IntegrityError:
        # The other request was recorded first: this one is told as if it had come second.
        if not Structure.objects.filter(siret=siret, is_validated=False).exists():
            raise
        raise ActionError(ALREADY_ASKED) from None
    return request


def validate_structure(structure, *, by):
    """A coordinator validates a structure awaiting validation: its members reach Relais. Its first member
    becomes its administrator: the earliest one already there (joined through ProConnect, say), otherwise the
    person who asked to join, invited as administrator by email. Returns the invitation sent, if any."""
    if not access.can_validate_structures(by):
        raise PermissionDenied("Seule la coordination valide les structures.")
    with transaction.atomic():
        structure = Structure.objects.select_for_update().get(pk=structure.pk)
        if structure.is_validated:
            return None
        structure.validate(by=by.user)
        members = structure.memberships.filter(is_active=True, user__is_active=True)
        if members.filter(role=Role.STRUCTURE_ADMIN).exists():
            return None
        first = members.order_by("created_at", "pk").first()
        if first is not None:
            first.role = Role.STRUCTURE_ADMIN
            first.save(update_fields=["role"])
            notify(
                first.user,
                subject=f"« {structure.name} » est validée sur Relais",
                body="La coordination a validé votre structure : vous en êtes l'administrateur. Décrivez ses "
                "services et invitez vos collègues.",
                path=reverse("accounts:structure_detail", kwargs={"public_id": structure.public_id}),
            )
            return None
        request = JoinRequest.objects.filter(structure=structure).first()
        if request is None:
            return None
        invitation, token = Invitation.issue(
            email=request.email, structure=structure, role=Role.STRUCTURE_ADMIN, invited_by=by.user
        )
        request.invitation = invitation
        request.save(update_fields=["invitation"])
        after_commit(_send_first_invitation, invitation.pk, token)
    return invitation


def refuse_join_request(structure, *, by, reason):
    """A coordinator refuses a request to join (a false or mistaken one): the structure awaiting validation is
    removed, which frees its SIRET for a true request; the request is kept with the name and SIRET asked, who
    refused it, when and why; the person who asked is told why by email. A structure that has members already is
    validated or corrected, not refused."""
    if not access.can_validate_structures(by):
        raise PermissionDenied("Seule la coordination refuse une demande d'inscription.")
    reason = reason.strip()
    if not reason:
        raise ActionError("Donnez le motif du refus : il est envoyé à la personne qui a demandé l'inscription.")
    with transaction.atomic():
        structure = Structure.objects.select_for_update().filter(pk=structure.pk).first()
        if structure is None or structure.is_validated:
            raise AlreadyDecided
        request = JoinRequest.objects.select_for_update().filter(structure=structure).first()
        if request is None:
            raise ActionError(f"« {structure.name} » n'a pas de demande d'inscription à refuser.")
        if structure.memberships.exists():
            raise ActionError(
                f"« {structure.name} » a déjà des membres : validez la structure, ou corrigez-la, plutôt que de "
                "refuser sa demande."
            )
        request.structure = None
        request.structure_name, request.siret = structure.name, structure.siret
        request.refused_at, request.refused_by, request.refusal_reason = timezone.now(), by.user, reason
        request.save()
        structure.delete()
        after_commit(_send_refusal, request.pk)
    return request


def _send_refusal(request_id):
    request = JoinRequest.objects.get(pk=request_id)
    send_mail(
        subject=f"Votre demande d'inscription de « {request.structure_name} » sur Relais",
        message=(
            f"Bonjour,\n\nLa coordination du service public de l'insertion et de l'emploi n'a pas retenu la demande "
            f"d'inscription de « {request.structure_name} » (SIRET {request.siret}) sur Relais, pour ce motif :\n\n"
            f"{request.refusal_reason}\n\nVous pouvez présenter une nouvelle demande, corrigée, depuis la page "
            "d'inscription de Relais.\n\nSi vous n'avez pas demandé cette inscription, ignorez ce message."
        ),
        from_email=None,
        recipient_list=[request.email],
    )


def _send_first_invitation(invitation_id, token):
    invitation = Invitation.objects.select_related("structure").get(pk=invitation_id)
    link = settings.SITE_URL.rstrip("/") + reverse("accounts:accept_invitation", kwargs={"token": token})
    send_mail(
        subject=f"« {invitation.structure.name} » est inscrite sur Relais",
        message=(
            f"Bonjour,\n\nLa coordination a validé l'inscription de « {invitation.structure.name} » sur Relais, "
            "l'outil partagé du service public de l'insertion et de l'emploi. Vous en êtes le premier "
            "administrateur : vous décrirez ses services et inviterez vos collègues.\n\nPour créer votre compte, "
            f"ouvrez ce lien avant le {timezone.localtime(invitation.expires_at):%d/%m/%Y à %H:%M} :\n{link}\n\n"
            "Si vous n'avez pas demandé cette inscription, ignorez ce message."
        ),
        from_email=None,
        recipient_list=[invitation.email],
    )
