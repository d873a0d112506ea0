import base64
import time
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import access, actions, lockout
from accounts.forms import (
    AccountForm,
    DsfrPasswordResetForm,
    InvitationForm,
    JoinRefusalForm,
    JoinRequestForm,
    LoginForm,
    MembershipForm,
    OtpForm,
    SetPasswordForm,
    StructureChangeDecisionForm,
    StructureForm,
)
from accounts.middleware import LAST_SEEN_KEY, SESSION_KEY
from accounts.models import Invitation, JoinRequest, Membership, Role, Structure, StructureChange, User
from accounts.totp import qr_code_svg
from audit.context import acting_as
from relais.actions import ActionError
from relais.redirects import local_next
from relais.text import fold, place_key

PAGE_SIZE = 25


def _safe_next(request, fallback="home"):
    return local_next(request) or reverse(fallback)


@login_not_required
def login_view(request):
    if request.user.is_authenticated:
        return redirect(_safe_next(request))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        ip = lockout.client_ip(request)
        refusal = lockout.begin_login(email, ip)
        if refusal is not None:
            form.add_error(None, _login_refusal_message(refusal))
        else:
            user = authenticate(request, email=email, password=form.cleaned_data["password"])
            if user is None:
                form.add_error(None, "Adresse électronique ou mot de passe incorrect.")
                form.mark_invalid()
            else:
                lockout.login_succeeded(email, ip)
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return redirect(_safe_next(request))
    if request.method == "POST" and not form.is_valid():
        # Keep what was typed, except the password.
        form.data = form.data.copy()
        form.data["password"] = ""
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "next": request.GET.get("next", ""),
            "proconnect_enabled": settings.OIDC_ENABLED,
        },
    )


def _login_refusal_message(refusal):
    if refusal.reason == "network":
        return (
            "Trop de tentatives de connexion ont échoué depuis votre réseau. "
            f"Réessayez dans {refusal.minutes} minutes."
        )
    return (
        f"Trop de tentatives de connexion ont échoué pour ce compte. Réessayez dans {refusal.minutes} minutes "
        "ou réinitialisez votre mot de passe."
    )


@method_decorator(login_not_required, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """ "Forgotten password": a link by email. Requests are limited per address and per network, and the
    answer is the same whether an account exists or not."""

    form_class = DsfrPasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        refusal = lockout.begin_password_reset(form.cleaned_data["email"], lockout.client_ip(self.request))
        if refusal is not None:
            form.add_error(
                None,
                "Trop de demandes de réinitialisation ont été faites pour cette adresse ou depuis votre réseau. "
                f"Réessayez dans {refusal.minutes} minutes.",
            )
            return self.form_invalid(form)
        return super().form_valid(form)


@require_POST
@login_not_required
def logout_view(request):
    logout(request)
    messages.info(request, "Vous êtes déconnecté.")
    return redirect("accounts:login")


def otp_view(request):
    """Second factor: verify the TOTP code, or enrol a first device."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device_id = request.session.get("relais_totp_enrolment")
        device = TOTPDevice.objects.filter(user=user, confirmed=False, pk=device_id).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Application d'authentification", confirmed=False)
            request.session["relais_totp_enrolment"] = device.pk
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            # After a wrong code, every code is refused for a few seconds: say so rather than "wrong code".
            form.add_error("token", "Trop de codes erronés à la suite. Patientez quelques secondes puis réessayez.")
        elif device.verify_token(form.cleaned_data["token"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                request.session.pop("relais_totp_enrolment", None)
                messages.success(request, "La double authentification est activée sur votre compte.")
            otp_login(request, device)
            return redirect(_safe_next(request))
        else:
            form.add_error("token", "Ce code n'est pas le bon ou a expiré. Saisissez le code affiché en ce moment.")
    context = {"form": form, "enrolling": enrolling, "next": request.GET.get("next", "")}
    if enrolling:
        context["qr_svg"] = qr_code_svg(device.config_url)
        # Authenticator apps take the key in base32, as in the QR code.
        context["secret"] = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(request, "accounts/otp.html", context)


@require_POST
def switch_structure(request):
    try:
        public_id = uuid.UUID(request.POST.get("membership", ""))
    except ValueError:
        raise Http404("Appartenance inconnue.") from None
    membership = get_object_or_404(request.user.active_memberships(), public_id=public_id)
    request.session[SESSION_KEY] = membership.pk
    messages.success(request, f"Vous agissez maintenant pour : {membership.structure.name}.")
    return redirect(_safe_next(request))


def account_view(request):
    form = AccountForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Vos informations sont enregistrées.")
        return redirect("accounts:account")
    memberships = request.user.memberships.select_related("structure").order_by("structure__name")
    has_totp = TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
    return render(request, "accounts/account.html", {"form": form, "memberships": memberships, "has_totp": has_totp})


# --- Invitations --------------------------------------------------------------------------------


@login_not_required
def accept_invitation(request, token):
    invitation = Invitation.find(token)
    if invitation is None or not invitation.is_usable:
        reason = "Ce lien d'invitation n'est pas valide."
        if invitation is not None and invitation.accepted_at:
            reason = "Cette invitation a déjà été utilisée. Connectez-vous avec votre adresse électronique."
        elif invitation is not None and invitation.revoked_at:
            reason = "Cette invitation a été annulée par la structure."
        elif invitation is not None and invitation.is_expired:
            reason = (
                "Cette invitation a expiré. "
                "Demandez à l'administrateur de la structure de vous en envoyer une nouvelle."
            )
        return render(request, "accounts/invitation_invalid.html", {"reason": reason}, status=410)

    existing = User.objects.filter(email__iexact=invitation.email).first()
    if existing is not None:
        if not request.user.is_authenticated:
            messages.info(request, "Connectez-vous pour rejoindre la structure qui vous invite.")
            return redirect(reverse("accounts:login") + "?next=" + request.path)
        if request.user != existing:
            return render(
                request,
                "accounts/invitation_invalid.html",
                {"reason": "Cette invitation est destinée à un autre compte. Déconnectez-vous puis rouvrez le lien."},
                status=403,
            )
        if request.method == "POST":
            _join(invitation, existing)
            request.session[SESSION_KEY] = existing.memberships.get(structure=invitation.structure).pk
            messages.success(request, f"Vous avez rejoint {invitation.structure.name}.")
            return redirect("home")
        return render(request, "accounts/invitation_accept.html", {"invitation": invitation, "form": None})

    form = SetPasswordForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = User.objects.create_user(
                invitation.email,
                form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
            _join(invitation, user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Bienvenue dans Relais. Vous avez rejoint {invitation.structure.name}.")
        return redirect("home")
    return render(request, "accounts/invitation_accept.html", {"invitation": invitation, "form": form})


def _join(invitation, user):
    # The journal records the newcomer joining, for the structure they join (not an anonymous visitor).
    with acting_as(user, invitation.structure), transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at is not None:
            raise PermissionDenied("Invitation déjà utilisée.")
        membership, created = Membership.objects.get_or_create(
            user=user, structure=locked.structure, defaults={"role": locked.role}
        )
        if not created:
            membership.role = locked.role
            membership.is_active = True
            membership.deactivated_at = None
            membership.save(update_fields=["role", "is_active", "deactivated_at"])
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])


# --- Structures ---------------------------------------------------------------------------------


def _structure_for(request, public_id):
    """The structure if the user may see it; 404 otherwise (its existence is not confirmed)."""
    return get_object_or_404(access.structures_visible_to(request.membership), public_id=public_id)


def structure_list(request):
    structures = access.structures_visible_to(request.membership).select_related("commune")
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("type", "")
    pending = request.GET.get("statut") == "a_valider"
    if query:
        # Communes are searched like the commune search does: accents, hyphens and "Sainte"/"Ste" ignored.
        place = place_key(query)
        structures = structures.filter(
            Q(search_name__contains=fold(query))
            | Q(siret__startswith=query.replace(" ", ""))
            | Q(commune__search_name__startswith=place)
        )
    if kind in Structure.Kind.values:
        structures = structures.filter(kind=kind)
    validates = access.can_validate_structures(request.membership)
    if validates:
        # Changes of kind or zone are the coordination's business: only coordinators see them waiting.
        changing = StructureChange.objects.filter(structure=OuterRef("pk"), status=StructureChange.Status.PENDING)
        structures = structures.annotate(has_pending_change=Exists(changing))
    if pending:
        waiting = Q(is_validated=False)
        if validates:
            waiting |= Q(has_pending_change=True)
        structures = structures.filter(waiting)
    structures = structures.annotate(member_count=Count("memberships", filter=Q(memberships__is_active=True)))
    page = Paginator(structures.order_by("name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/structure_list.html",
        {
            "page": page,
            "query": query,
            "kind": kind,
            "pending": pending,
            "kinds": Structure.Kind.choices,
            "can_create": validates,
        },
    )


def join_refusals(request):
    """The requests to join that the coordination refused: which structure and SIRET were asked, by whom, when, who
    refused and why (the structure itself was removed). The coordination's own page, most recent first."""
    if not access.can_validate_structures(request.membership):
        raise PermissionDenied
    refused = JoinRequest.objects.filter(refused_at__isnull=False).select_related("refused_by")
    query = request.GET.get("q", "").strip()
    if query:
        refused = refused.filter(Q(structure_name__icontains=query) | Q(siret__startswith=query.replace(" ", "")))
    page = Paginator(refused.order_by("-refused_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/join_refusals.html", {"page": page, "query": query})


def structure_create(request):
    if not access.can_validate_structures(request.membership):
        raise PermissionDenied
    form = StructureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        structure = form.save(commit=False)
        structure.is_validated = True
        structure.validated_at = timezone.now()
        structure.validated_by = request.user
        structure.save()
        form.save_m2m()
        messages.success(
            request, f"La structure « {structure.name} » est créée. Invitez maintenant son administrateur."
        )
        return redirect("accounts:structure_detail", public_id=structure.public_id)
    return render(request, "accounts/structure_form.html", {"form": form, "structure": None})


@login_not_required
def structure_join(request):
    """A partner not yet on Relais asks to join with its SIRET; the coordination validates it (structure_validate)."""
    form = JoinRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refusal = lockout.begin_join_request(lockout.client_ip(request))
        if refusal is not None:
            form.add_error(
                None,
                "Trop de demandes d'inscription ont été envoyées depuis votre réseau. "
                f"Réessayez dans {refusal.minutes} minutes.",
            )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            join_request = actions.request_to_join(
                **{field: data[field] for field in JOIN_STRUCTURE_FIELDS},
                first_name=data["first_name"],
                last_name=data["last_name"],
                requester_email=data["requester_email"],
                job_title=data["job_title"],
            )
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            return render(request, "accounts/structure_join_sent.html", {"structure": join_request.structure})
    return render(request, "accounts/structure_join.html", {"form": form})


JOIN_STRUCTURE_FIELDS = (
    "name",
    "siret",
    "kind",
    "address",
    "commune",
    "email",
    "phone",
    "covers_departement",
    "zone_communes",
    "zone_epcis",
)


def structure_detail(request, public_id):
    return _structure_page(request, _structure_for(request, public_id))


def _structure_page(request, structure, *, refusal_form=None):
    membership = request.membership
    can_edit = access.can_edit_structure(membership, structure)
    validates = access.can_validate_structures(membership)
    # The pending change, else the last one refused: its admins and the coordination are told.
    change = None
    if can_edit:
        change = (
            structure.changes.exclude(status=StructureChange.Status.WITHDRAWN)
            .select_related("requested_by", "decided_by")
            .first()
        )
        if change is not None and change.status == StructureChange.Status.ACCEPTED:
            change = None
    members = Paginator(
        access.members_visible_to(membership, structure).order_by("-is_active", "user__last_name", "user__first_name"),
        50,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/structure_detail.html",
        {
            "structure": structure,
            "members": members,
            "invitations": access.invitations_visible_to(membership, structure).select_related("invited_by"),
            "zone_communes": structure.zone_communes.order_by("name"),
            "zone_epcis": structure.zone_epcis.order_by("name"),
            "can_manage": access.can_manage_members(membership, structure),
            "can_edit": can_edit,
            "can_validate": validates and not structure.is_validated,
            "can_decide_change": validates,
            "change": change,
            "change_zone": _zone_lists(change) if change else None,
            "decision_form": StructureChangeDecisionForm() if change and validates else None,
            # Who asked to join, for the coordination (and the structure's admins) only.
            "join_request": JoinRequest.objects.filter(structure=structure).first() if can_edit else None,
            "refusal_form": refusal_form or (JoinRefusalForm() if validates and not structure.is_validated else None),
        },
    )


@require_POST
def structure_refuse(request, public_id):
    """The coordination refuses a request to join: the structure awaiting validation is removed, the person who
    asked is told why. What was typed is kept when the refusal is not possible."""
    structure = _structure_for(request, public_id)
    if not access.can_validate_structures(request.membership) or structure.is_validated:
        raise PermissionDenied
    form = JoinRefusalForm(request.POST)
    if form.is_valid():
        try:
            actions.refuse_join_request(structure, by=request.membership, reason=form.cleaned_data["reason"])
        except actions.AlreadyDecided:
            messages.info(request, "Cette demande d'inscription a déjà été traitée.")
            return redirect("accounts:structure_list")
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"La demande d'inscription de « {structure.name} » est refusée : la personne qui l'a faite en reçoit "
                "le motif par courriel.",
            )
            return redirect(reverse("accounts:structure_list") + "?statut=a_valider")
    return _structure_page(request, structure, refusal_form=form)


def structure_edit(request, public_id):
    structure = _structure_for(request, public_id)
    membership = request.membership
    if not access.can_edit_structure(membership, structure):
        raise PermissionDenied
    validates = access.can_validate_structures(membership)
    pending = structure.pending_change()
    # A structure admin goes on from the change they asked for, not from the kind and zone in force.
    initial = {} if pending is None or validates else _zone_initial(pending)
    form = StructureForm(request.POST or None, instance=structure, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change = actions.edit_structure(
                structure,
                by=membership,
                **{field: data[field] for field in ("name", "siret", "address", "commune", "email", "phone")},
                **{field: data[field] for field in ("kind", "covers_departement", "zone_communes", "zone_epcis")},
            )
        except ActionError as error:
            form.add_error("siret", str(error))
        else:
            if change is None:
                messages.success(request, "Les informations de la structure sont enregistrées.")
            else:
                messages.success(
                    request,
                    "Les informations de la structure sont enregistrées. Le changement de type ou de zone "
                    "d'intervention attend la validation de la coordination : d'ici là, la structure garde son "
                    "type et sa zone actuels.",
                )
            return redirect("accounts:structure_detail", public_id=structure.public_id)
    return render(
        request,
        "accounts/structure_form.html",
        {"form": form, "structure": structure, "pending_change": pending, "validates": validates},
    )


def _zone_initial(change):
    return {
        "kind": change.kind,
        "covers_departement": change.covers_departement,
        "zone_communes": list(change.zone_communes.all()),
        "zone_epcis": list(change.zone_epcis.all()),
    }


def _zone_lists(holder):
    return {"communes": holder.zone_communes.order_by("name"), "epcis": holder.zone_epcis.order_by("name")}


@require_POST
def structure_validate(request, public_id):
    """The coordination validates a new structure, or a change of a structure's kind or zone."""
    structure = _structure_for(request, public_id)
    if not access.can_validate_structures(request.membership):
        raise PermissionDenied
    if not structure.is_validated:
        invitation = actions.validate_structure(structure, by=request.membership)
        invited = f" {invitation.email} est invité à en être l'administrateur." if invitation is not None else ""
        messages.success(
            request, f"La structure « {structure.name} » est validée : ses membres ont accès à Relais.{invited}"
        )
        return redirect("accounts:structure_detail", public_id=structure.public_id)
    change = structure.pending_change()
    decision = request.POST.get("decision")
    form = StructureChangeDecisionForm(request.POST)
    if change is None:
        messages.info(request, "Cette structure était déjà validée et n'a pas de changement en attente.")
    elif decision not in {"valider", "refuser"} or not form.is_valid():
        messages.error(request, "Choisissez de valider ou de refuser le changement (motif de 500 caractères au plus).")
    else:
        try:
            actions.decide_structure_change(
                change, by=request.membership, accept=decision == "valider", note=form.cleaned_data["note"]
            )
        except actions.AlreadyDecided:
            messages.info(request, "Ce changement a déjà été traité.")
        else:
            if decision == "valider":
                messages.success(
                    request, f"Le changement est validé : « {structure.name} » a maintenant ce type et cette zone."
                )
            else:
                messages.success(request, "Le changement est refusé : la structure garde son type et sa zone.")
    return redirect("accounts:structure_detail", public_id=structure.public_id)


def invite(request, public_id):
    structure = _structure_for(request, public_id)
    if not access.can_manage_members(request.membership, structure):
        raise PermissionDenied
    form = InvitationForm(request.POST or None, structure=structure)
    if request.method == "POST" and form.is_valid():
        invitation, token = Invitation.issue(
            email=form.cleaned_data["email"],
            structure=structure,
            role=form.cleaned_data["role"],
            invited_by=request.user,
        )
        link = settings.SITE_URL.rstrip("/") + reverse("accounts:accept_invitation", kwargs={"token": token})
        send_mail(
            subject=f"Invitation à rejoindre {structure.name} sur Relais",
            message=(
                f"Bonjour,\n\n{request.user} vous invite à rejoindre « {structure.name} » sur Relais, l'outil "
                f"partagé du service public de l'insertion et de l'emploi.\n\nPour accepter, ouvrez ce lien "
                f"avant le {timezone.localtime(invitation.expires_at):%d/%m/%Y à %H:%M} :\n{link}\n\n"
                "Si vous n'attendiez pas cette invitation, ignorez ce message."
            ),
            from_email=None,
            recipient_list=[invitation.email],
        )
        messages.success(request, f"Invitation envoyée à {invitation.email}.")
        return redirect("accounts:structure_detail", public_id=structure.public_id)
    return render(request, "accounts/invite.html", {"form": form, "structure": structure})


@require_POST
def revoke_invitation(request, public_id, invitation_id):
    structure = _structure_for(request, public_id)
    if not access.can_manage_members(request.membership, structure):
        raise PermissionDenied
    invitation = get_object_or_404(structure.invitations.pending(), public_id=invitation_id)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    messages.success(request, f"L'invitation de {invitation.email} est annulée.")
    return redirect("accounts:structure_detail", public_id=structure.public_id)


def _is_last_admin(membership):
    if membership.role != Role.STRUCTURE_ADMIN or not membership.is_active:
        return False
    others = membership.structure.memberships.filter(role=Role.STRUCTURE_ADMIN, is_active=True).exclude(
        pk=membership.pk
    )
    return not others.exists()


def membership_edit(request, public_id, membership_id):
    structure = _structure_for(request, public_id)
    if not access.can_manage_members(request.membership, structure):
        raise PermissionDenied
    membership = get_object_or_404(structure.memberships.select_related("user"), public_id=membership_id)
    can_grant = access.can_grant_capabilities(request.membership)
    initial = {
        "role": membership.role,
        "job_title": membership.job_title,
        "is_orientation_manager": membership.is_orientation_manager,
        "orientation_publics": membership.orientation_publics,
        "is_coordinator": membership.is_coordinator,
    }
    form = MembershipForm(request.POST or None, initial=initial, can_grant=can_grant)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["role"] != Role.STRUCTURE_ADMIN and _is_last_admin(membership):
            form.add_error("role", "La structure doit garder au moins un administrateur actif.")
        else:
            membership.role = data["role"]
            membership.job_title = data["job_title"]
            fields = ["role", "job_title"]
            if can_grant:
                membership.is_orientation_manager = data["is_orientation_manager"]
                membership.orientation_publics = data["orientation_publics"]
                membership.is_coordinator = data["is_coordinator"]
                fields += ["is_orientation_manager", "orientation_publics", "is_coordinator"]
            membership.save(update_fields=fields)
            messages.success(request, f"Le rôle de {membership.user} est enregistré.")
            return redirect("accounts:structure_detail", public_id=structure.public_id)
    return render(
        request, "accounts/membership_form.html", {"form": form, "structure": structure, "membership": membership}
    )


@require_POST
def membership_toggle(request, public_id, membership_id):
    structure = _structure_for(request, public_id)
    if not access.can_manage_members(request.membership, structure):
        raise PermissionDenied
    membership = get_object_or_404(structure.memberships.select_related("user"), public_id=membership_id)
    if membership.is_active:
        if _is_last_admin(membership):
            messages.error(request, "Impossible : la structure doit garder au moins un administrateur actif.")
        else:
            membership.deactivate()
            messages.success(request, f"L'accès de {membership.user} à {structure.name} est désactivé.")
    else:
        membership.is_active = True
        membership.deactivated_at = None
        membership.save(update_fields=["is_active", "deactivated_at"])
        messages.success(request, f"L'accès de {membership.user} à {structure.name} est rétabli.")
    return redirect("accounts:structure_detail", public_id=structure.public_id)


@require_POST
def extend_session(request):
    """The professional asks to stay logged in (warned before the idle timeout): the session starts a new idle
    period. Anonymous requests never get here (login required): the session had already expired."""
    request.session[LAST_SEEN_KEY] = int(time.time())
    return JsonResponse({"expires_in": settings.SESSION_COOKIE_AGE})
