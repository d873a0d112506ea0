from django.urls import path

from pathway import appointment_views, contract_views

app_name = "pathway"

urlpatterns = [
    # Appointments: a person's, one appointment, the professional's agenda, the person's answer (public).
    path("<uuid:public_id>/rendez-vous/", appointment_views.person_appointments, name="person_appointments"),
    path("<uuid:public_id>/rendez-vous/nouveau/", appointment_views.appointment_create, name="appointment_create"),
    path("<uuid:public_id>/rendez-vous/premier/", appointment_views.appointment_invite, name="appointment_invite"),
    path("rendez-vous/<uuid:public_id>/", appointment_views.appointment_detail, name="appointment_detail"),
    path(
        "rendez-vous/<uuid:public_id>/presence/",
        appointment_views.appointment_attendance,
        name="appointment_attendance",
    ),
    path("rendez-vous/<uuid:public_id>/annuler/", appointment_views.appointment_cancel, name="appointment_cancel"),
    path(
        "rendez-vous/<uuid:public_id>/deplacer/",
        appointment_views.appointment_reschedule,
        name="appointment_reschedule",
    ),
    path(
        "rendez-vous/<uuid:public_id>/invitation/",
        appointment_views.appointment_send_invitation,
        name="appointment_send_invitation",
    ),
    path(
        "rendez-vous/<uuid:public_id>/rendez-vous.ics",
        appointment_views.appointment_ics_download,
        name="appointment_ics",
    ),
    path("agenda/", appointment_views.agenda, name="agenda"),
    path("invitation/<str:token>/", appointment_views.appointment_answer, name="appointment_answer"),
    path(
        "invitation/<str:token>/rendez-vous.ics",
        appointment_views.appointment_answer_ics,
        name="appointment_answer_ics",
    ),
    # Contrat d'engagement
    path("personnes/<uuid:public_id>/contrat/", contract_views.contract_home, name="contract_home"),
    path("personnes/<uuid:public_id>/contrat/rediger/", contract_views.contract_create, name="contract_create"),
    path("personnes/<uuid:public_id>/revue-sociale/", contract_views.social_review, name="social_review"),
    path("contrats/a-regulariser/", contract_views.contract_worklist, name="contract_worklist"),
    path("contrats/<uuid:contract_id>/", contract_views.contract_detail, name="contract_detail"),
    path("contrats/<uuid:contract_id>/modifier/", contract_views.contract_edit, name="contract_edit"),
    path("contrats/<uuid:contract_id>/signer/", contract_views.contract_sign, name="contract_sign"),
    path("contrats/<uuid:contract_id>/avenant/", contract_views.contract_amend, name="contract_amend"),
    path("contrats/<uuid:contract_id>/renouveler/", contract_views.contract_renew, name="contract_renew"),
    path("contrats/<uuid:contract_id>/terminer/", contract_views.contract_end, name="contract_end"),
    path("contrats/<uuid:contract_id>/abandonner/", contract_views.contract_discard, name="contract_discard"),
    path("contrats/<uuid:contract_id>/imprimer/", contract_views.contract_print, name="contract_print"),
    path("contrats/<uuid:contract_id>/differences/", contract_views.contract_diff, name="contract_diff"),
    path("contrats/<uuid:contract_id>/objectifs/ajouter/", contract_views.objective_add, name="objective_add"),
    path(
        "contrats/<uuid:contract_id>/objectifs/<uuid:objective_id>/",
        contract_views.objective_edit,
        name="objective_edit",
    ),
    path(
        "contrats/<uuid:contract_id>/objectifs/<uuid:objective_id>/retirer/",
        contract_views.objective_remove,
        name="objective_remove",
    ),
    path(
        "contrats/<uuid:contract_id>/objectifs/<uuid:objective_id>/actions/ajouter/",
        contract_views.action_add,
        name="action_add",
    ),
    path("contrats/<uuid:contract_id>/actions/<uuid:action_id>/", contract_views.action_edit, name="action_edit"),
    path(
        "contrats/<uuid:contract_id>/actions/<uuid:action_id>/retirer/",
        contract_views.action_remove,
        name="action_remove",
    ),
    path(
        "contrats/<uuid:contract_id>/actions/<uuid:action_id>/etat/",
        contract_views.action_status,
        name="action_status",
    ),
    # End of the contrat d'engagement
]
