from django.urls import path

from pathway import note_views, objection_views

app_name = "pathway"

urlpatterns = [
    # Notes of the carnet.
    path("<uuid:public_id>/notes/", note_views.note_list, name="note_list"),
    path("<uuid:public_id>/notes/nouvelle/", note_views.note_create, name="note_create"),
    path("<uuid:public_id>/notes/<uuid:note_id>/modifier/", note_views.note_edit, name="note_edit"),
    path("<uuid:public_id>/notes/<uuid:note_id>/corriger/", note_views.note_correct, name="note_correct"),
    # The person's right to object to the sharing.
    path("<uuid:public_id>/droit-opposition/", objection_views.sharing, name="sharing"),
]
