from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("", views.run_list, name="run_list"),
    path("profils/", views.profile_list, name="profile_list"),
    path("profils/<uuid:public_id>/suppression/", views.profile_delete, name="profile_delete"),
    path("lignes/<uuid:public_id>/decision/", views.decide, name="decide"),
    path("<uuid:public_id>/", views.run_detail, name="run_detail"),
    path("<uuid:public_id>/avancement/", views.run_progress, name="run_progress"),
    path("<uuid:public_id>/reprise/", views.resume, name="resume"),
    path("<uuid:public_id>/rapport.csv", views.report_csv, name="report_csv"),
    path("<uuid:public_id>/a-verifier/", views.review, name="review"),
]
