from django.urls import path

from offer import referral_views, views

app_name = "offer"

urlpatterns = [
    path("", views.search_view, name="search"),
    path("pour/<uuid:public_id>/", views.person_search, name="person_search"),
    path("pour/<uuid:person_id>/services/<uuid:public_id>/", views.referral_create, name="referral_create"),
    path("structure/", views.structure_services, name="structure_services"),
    path("services/nouveau/", views.service_create, name="service_create"),
    path("services/<uuid:public_id>/", views.service_detail, name="service_detail"),
    path("services/<uuid:public_id>/modifier/", views.service_edit, name="service_edit"),
    path("services/<uuid:public_id>/suspendre/", views.service_suspend, name="service_suspend"),
    path("services/<uuid:public_id>/<slug:change>/", views.service_change, name="service_change"),
    path("prescriptions/recues/", referral_views.inbox, name="referral_inbox"),
    path("prescriptions/envoyees/", referral_views.sent, name="referral_sent"),
    path("prescriptions/export/", referral_views.export, name="referral_export"),
    path("prescriptions/<uuid:public_id>/", referral_views.detail, name="referral_detail"),
    path("prescriptions/<uuid:public_id>/<slug:step>/", referral_views.transition, name="referral_transition"),
]
