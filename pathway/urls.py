from django.urls import path

from pathway import carnet_views, caseload_views, team_views

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
]
