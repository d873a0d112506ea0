from django.urls import path

from pathway import alert_views, note_views, objection_views

app_name = "pathway"

urlpatterns = [
    # Notes of the carnet.
    path("<uuid:public_id>/notes/", note_views.note_list, name="note_list"),
    path("<uuid:public_id>/notes/nouvelle/", note_views.note_create, name="note_create"),
    path("<uuid:public_id>/notes/<uuid:note_id>/modifier/", note_views.note_edit, name="note_edit"),
    path("<uuid:public_id>/notes/<uuid:note_id>/corriger/", note_views.note_correct, name="note_correct"),
    # The person's right to object to the sharing.
    path("<uuid:public_id>/droit-opposition/", objection_views.sharing, name="sharing"),
    # Rupture alerts.
    path("alertes/", alert_views.my_alerts_view, name="my_alerts"),
    path("alertes/structure/", alert_views.structure_alerts_view, name="structure_alerts"),
    path("alertes/territoire/", alert_views.alert_counts, name="alert_counts"),
    path("alertes/<uuid:public_id>/prise-en-charge/", alert_views.alert_take, name="alert_take"),
    path("alertes/<uuid:public_id>/confier/", alert_views.alert_assign, name="alert_assign"),
    path("alertes/<uuid:public_id>/clore/", alert_views.alert_close, name="alert_close"),
]
