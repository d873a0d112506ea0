from django.urls import path

from pathway import (
    alert_views,
    appointment_views,
    carnet_views,
    caseload_views,
    contract_views,
    note_views,
    objection_views,
    team_views,
)

app_name = "pathway"

urlpatterns = [
    # The carnet, its status, its team and its référent; a professional's caseload; the bulk handover.
    path("carnet/<uuid:public_id>/", carnet_views.carnet, name="carnet"),
    path("carnet/<uuid:public_id>/sortie/", carnet_views.exit_pathway, name="exit"),
    path("carnet/<uuid:public_id>/reouverture/", carnet_views.reopen_pathway, name="reopen"),
    path("carnet/<uuid:public_id>/equipe/ajout/", team_views.add_member, name="team_add"),
    path("carnet/<uuid:public_id>/equipe/<uuid:member_id>/fin/", team_views.end_member, name="team_end"),
    path("carnet/<uuid:public_id>/referent/", team_views.referent, name="referent"),
    path("equipe/professionnels/", team_views.member_options, name="member_options"),
    path("mes-personnes/", caseload_views.caseload_page, name="caseload"),
    path("mes-personnes/export/<str:fmt>/", caseload_views.caseload_export, name="caseload_export"),
    path("passation/", team_views.bulk_handover, name="bulk_handover"),
    # Appointments: a person's, one appointment, the professional's agenda, the person's answer (public).
    path("carnet/<uuid:public_id>/rendez-vous/", appointment_views.person_appointments, name="person_appointments"),
    path(
        "carnet/<uuid:public_id>/rendez-vous/nouveau/", appointment_views.appointment_create, name="appointment_create"
    ),
    path(
        "carnet/<uuid:public_id>/rendez-vous/premier/", appointment_views.appointment_invite, name="appointment_invite"
    ),
    path("carnet/rendez-vous/<uuid:public_id>/", appointment_views.appointment_detail, name="appointment_detail"),
    path(
        "carnet/rendez-vous/<uuid:public_id>/presence/",
        appointment_views.appointment_attendance,
        name="appointment_attendance",
    ),
    path(
        "carnet/rendez-vous/<uuid:public_id>/annuler/", appointment_views.appointment_cancel, name="appointment_cancel"
    ),
    path(
        "carnet/rendez-vous/<uuid:public_id>/deplacer/",
        appointment_views.appointment_reschedule,
        name="appointment_reschedule",
    ),
    path(
        "carnet/rendez-vous/<uuid:public_id>/invitation/",
        appointment_views.appointment_send_invitation,
        name="appointment_send_invitation",
    ),
    path(
        "carnet/rendez-vous/<uuid:public_id>/rendez-vous.ics",
        appointment_views.appointment_ics_download,
        name="appointment_ics",
    ),
    path("carnet/agenda/", appointment_views.agenda, name="agenda"),
    path("carnet/invitation/<str:token>/", appointment_views.appointment_answer, name="appointment_answer"),
    path(
        "carnet/invitation/<str:token>/rendez-vous.ics",
        appointment_views.appointment_answer_ics,
        name="appointment_answer_ics",
    ),
    # Contrat d'engagement
    path("carnet/personnes/<uuid:public_id>/contrat/", contract_views.contract_home, name="contract_home"),
    path("carnet/personnes/<uuid:public_id>/contrat/rediger/", contract_views.contract_create, name="contract_create"),
    path("carnet/personnes/<uuid:public_id>/revue-sociale/", contract_views.social_review, name="social_review"),
    path("carnet/contrats/a-regulariser/", contract_views.contract_worklist, name="contract_worklist"),
    path("carnet/contrats/<uuid:contract_id>/", contract_views.contract_detail, name="contract_detail"),
    path("carnet/contrats/<uuid:contract_id>/modifier/", contract_views.contract_edit, name="contract_edit"),
    path("carnet/contrats/<uuid:contract_id>/signer/", contract_views.contract_sign, name="contract_sign"),
    path("carnet/contrats/<uuid:contract_id>/avenant/", contract_views.contract_amend, name="contract_amend"),
    path("carnet/contrats/<uuid:contract_id>/renouveler/", contract_views.contract_renew, name="contract_renew"),
    path("carnet/contrats/<uuid:contract_id>/terminer/", contract_views.contract_end, name="contract_end"),
    path("carnet/contrats/<uuid:contract_id>/abandonner/", contract_views.contract_discard, name="contract_discard"),
    path("carnet/contrats/<uuid:contract_id>/imprimer/", contract_views.contract_print, name="contract_print"),
    path("carnet/contrats/<uuid:contract_id>/differences/", contract_views.contract_diff, name="contract_diff"),
    path("carnet/contrats/<uuid:contract_id>/objectifs/ajouter/", contract_views.objective_add, name="objective_add"),
    path(
        "carnet/contrats/<uuid:contract_id>/objectifs/<uuid:objective_id>/",
        contract_views.objective_edit,
        name="objective_edit",
    ),
    path(
        "carnet/contrats/<uuid:contract_id>/objectifs/<uuid:objective_id>/retirer/",
        contract_views.objective_remove,
        name="objective_remove",
    ),
    path(
        "carnet/contrats/<uuid:contract_id>/objectifs/<uuid:objective_id>/actions/ajouter/",
        contract_views.action_add,
        name="action_add",
    ),
    path(
        "carnet/contrats/<uuid:contract_id>/actions/<uuid:action_id>/", contract_views.action_edit, name="action_edit"
    ),
    path(
        "carnet/contrats/<uuid:contract_id>/actions/<uuid:action_id>/retirer/",
        contract_views.action_remove,
        name="action_remove",
    ),
    path(
        "carnet/contrats/<uuid:contract_id>/actions/<uuid:action_id>/etat/",
        contract_views.action_status,
        name="action_status",
    ),
    # End of the contrat d'engagement
    # Notes of the carnet.
    path("carnet/<uuid:public_id>/notes/", note_views.note_list, name="note_list"),
    path("carnet/<uuid:public_id>/notes/nouvelle/", note_views.note_create, name="note_create"),
    path("carnet/<uuid:public_id>/notes/<uuid:note_id>/modifier/", note_views.note_edit, name="note_edit"),
    path("carnet/<uuid:public_id>/notes/<uuid:note_id>/corriger/", note_views.note_correct, name="note_correct"),
    # The person's right to object to the sharing.
    path("carnet/<uuid:public_id>/droit-opposition/", objection_views.sharing, name="sharing"),
    # Rupture alerts.
    path("carnet/alertes/", alert_views.my_alerts_view, name="my_alerts"),
    path("carnet/alertes/structure/", alert_views.structure_alerts_view, name="structure_alerts"),
    path("carnet/alertes/territoire/", alert_views.alert_counts, name="alert_counts"),
    path("carnet/alertes/<uuid:public_id>/prise-en-charge/", alert_views.alert_take, name="alert_take"),
    path("carnet/alertes/<uuid:public_id>/confier/", alert_views.alert_assign, name="alert_assign"),
    path("carnet/alertes/<uuid:public_id>/clore/", alert_views.alert_close, name="alert_close"),
]
