from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path, reverse_lazy

from accounts import oidc, views
from accounts.forms import DsfrPasswordChangeForm, DsfrSetNewPasswordForm

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.login_view, name="login"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("session/prolonger/", views.extend_session, name="extend_session"),
    path("connexion/proconnect/", oidc.ProConnectLoginView.as_view(), name="proconnect_login"),
    path("connexion/proconnect/retour/", oidc.ProConnectCallbackView.as_view(), name="proconnect_callback"),
    path("connexion/mot-de-passe-oublie/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "connexion/mot-de-passe-oublie/envoye/",
        login_not_required(
            auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
        ),
        name="password_reset_done",
    ),
    path(
        "connexion/nouveau-mot-de-passe/<uidb64>/<token>/",
        login_not_required(
            auth_views.PasswordResetConfirmView.as_view(
                form_class=DsfrSetNewPasswordForm,
                template_name="accounts/password_reset_confirm.html",
                success_url=reverse_lazy("accounts:login"),
                post_reset_login=False,
            )
        ),
        name="password_reset_confirm",
    ),
    path("double-authentification/", views.otp_view, name="otp"),
    path("structure-courante/", views.switch_structure, name="switch_structure"),
    path("mon-compte/", views.account_view, name="account"),
    path(
        "mon-compte/mot-de-passe/",
        auth_views.PasswordChangeView.as_view(
            form_class=DsfrPasswordChangeForm,
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts:account"),
        ),
        name="password_change",
    ),
    path("invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("structures/", views.structure_list, name="structure_list"),
    path("structures/nouvelle/", views.structure_create, name="structure_create"),
    path("structures/inscription/", views.structure_join, name="structure_join"),
    path("structures/demandes-refusees/", views.join_refusals, name="join_refusals"),
    path("structures/<uuid:public_id>/", views.structure_detail, name="structure_detail"),
    path("structures/<uuid:public_id>/modifier/", views.structure_edit, name="structure_edit"),
    path("structures/<uuid:public_id>/valider/", views.structure_validate, name="structure_validate"),
    path("structures/<uuid:public_id>/refuser/", views.structure_refuse, name="structure_refuse"),
    path("structures/<uuid:public_id>/inviter/", views.invite, name="invite"),
    path(
        "structures/<uuid:public_id>/invitations/<uuid:invitation_id>/annuler/",
        views.revoke_invitation,
        name="revoke_invitation",
    ),
    path(
        "structures/<uuid:public_id>/membres/<uuid:membership_id>/",
        views.membership_edit,
        name="membership_edit",
    ),
    path(
        "structures/<uuid:public_id>/membres/<uuid:membership_id>/acces/",
        views.membership_toggle,
        name="membership_toggle",
    ),
]
