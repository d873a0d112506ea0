from django.urls import path

from entry import duplicate_views, orientation_views, referential_views, views

app_name = "entry"

urlpatterns = [
    path("personnes/", views.person_list, name="person_list"),
    path("personnes/nouvelle/", views.person_create, name="person_create"),
    path("personnes/<uuid:public_id>/", views.person_detail, name="person_detail"),
    path("personnes/<uuid:public_id>/modifier/", views.person_edit, name="person_edit"),
    path("personnes/<uuid:public_id>/demande-acces/", views.request_access, name="request_access"),
    path("personnes/<uuid:public_id>/diagnostic/", views.diagnostic_edit, name="diagnostic_edit"),
    path("personnes/<uuid:public_id>/diagnostic/brouillon/", views.diagnostic_draft, name="diagnostic_draft"),
    path("personnes/<uuid:public_id>/diagnostics/", views.diagnostic_history, name="diagnostic_history"),
    path(
        "personnes/<uuid:public_id>/diagnostics/<uuid:diagnostic_id>/",
        views.diagnostic_detail,
        name="diagnostic_detail",
    ),
    path("personnes/<uuid:public_id>/orientation/", views.decide, name="decide"),
    path("personnes/<uuid:public_id>/orientation/avis/", views.give_opinion, name="give_opinion"),
    path("personnes/<uuid:public_id>/orientation/<uuid:orientation_id>/courrier/", views.letter, name="letter"),
    path(
        "personnes/<uuid:public_id>/orientation/<uuid:orientation_id>/refus/",
        views.refuse_orientation,
        name="refuse_orientation",
    ),
    path("personnes/<uuid:public_id>/reorientation/", views.request_reorientation, name="request_reorientation"),
    path("orientations/referents/", views.referent_options, name="referent_options"),
    path("demandes-acces/", views.access_request_list, name="access_request_list"),
    path("demandes-acces/<uuid:public_id>/reponse/", views.answer_access_request, name="answer_access_request"),
    path("orientations/", orientation_views.worklist, name="worklist"),
    path("orientations/commissions/", orientation_views.commission_list, name="commission_list"),
    path("orientations/commissions/<uuid:public_id>/", orientation_views.commission_detail, name="commission_detail"),
    path(
        "orientations/commissions/<uuid:public_id>/proces-verbal/",
        orientation_views.commission_minutes,
        name="commission_minutes",
    ),
    path("referentiel/diagnostic/", referential_views.referential_edit, name="referential_edit"),
    path("referentiel/regles-de-proposition/", referential_views.proposal_rules, name="proposal_rules"),
    path("fusions/", orientation_views.merge, name="merge"),
    path("fusions/doublons/", duplicate_views.duplicate_list, name="duplicate_list"),
    path("fusions/doublons/<uuid:pair_id>/", duplicate_views.duplicate_pair, name="duplicate_pair"),
    path("fusions/<uuid:merge_id>/annuler/", orientation_views.merge_undo, name="merge_undo"),
]
