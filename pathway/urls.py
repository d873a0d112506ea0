from django.urls import path

from pathway import appointment_views

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
]
