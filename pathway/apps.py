from django.apps import AppConfig


class PathwayConfig(AppConfig):
    name = "pathway"
    verbose_name = "suivi de parcours"

    def ready(self):
        from django.db.models.signals import post_migrate

        from accounts.signals import membership_deactivated
        from audit.journal import track
        from pathway import actions, alert_actions, note_actions, objection_actions, ruptures  # noqa: F401
        from pathway.alert_tasks import schedule_after_migrate
        from pathway.merging import register_relations
        from pathway.models import AccessRequest, Alert, Note, Pathway, ReferentHistory, TeamMember

        # (Importing the actions registers their timeline kinds; the rupture rules follow the timeline.)
        track(
            Pathway,
            fields=[
                "status",
                "pathway_type",
                "entered_at",
                "entry_source",
                "rsa_informed_on",
                "orientation_due_on",
                "referent_structure",
                "referent",
                "contract_due_on",
                "exit_reason",
                "exit_detail",
                "exited_on",
            ],
            person="person",
        )
        track(
            TeamMember,
            fields=["user", "structure", "role", "mission", "ended_at", "end_reason"],
            person="pathway__person",
        )
        track(
            ReferentHistory,
            fields=["user", "structure", "ended_at", "end_reason", "handover_note"],
            sensitive=["handover_note"],
            person="pathway__person",
        )
        track(AccessRequest, fields=["status", "answer_comment"], person="person")
        # The text of a note is personal data: the history says that it changed, never what it said.
        track(
            Note,
            fields=["kind", "contact_on", "contact_mode", "text", "sensitive", "visibility"],
            sensitive=["text"],
            person="person",
        )
        track(
            Alert,
            fields=["status", "assigned_to", "assigned_structure", "taken_by", "closed_by", "closing_note"],
            person="person",
        )

        from pathway import carnet_sections, caseload  # noqa: F401  (caseload registers its own columns)

        register_relations()
        carnet_sections.register()

        membership_deactivated.connect(
            lambda sender, membership, **kwargs: actions.end_memberships_of(membership),
            weak=False,
            dispatch_uid="pathway-end-memberships",
        )
        # Contrat d'engagement: its change history and timeline kinds.
        from pathway.contract_actions import register_contract_history

        register_contract_history()
        self._appointments()
        # The rupture rules follow the appointments and the contracts once both are known.
        ruptures.wire_known_models()
        # The daily computation of the rupture alerts is scheduled once the database can hold the task queue.
        post_migrate.connect(schedule_after_migrate, sender=self, dispatch_uid="pathway-schedule-ruptures")

    def _appointments(self):
        from audit.journal import track
        from pathway.appointment_actions import KINDS
        from pathway.models import Appointment, AppointmentInvitation
        from pathway.timeline import register_kind

        track(
            Appointment,
            fields=[
                "status",
                "status_reason",
                "starts_at",
                "ends_at",
                "mode",
                "place",
                "purpose",
                "professional",
                "structure",
                "person_answer",
                "reminder_sent_at",
            ],
            person="person",
        )
        track(
            AppointmentInvitation,
            fields=["channels", "expires_at", "used_at", "revoked_at"],
            person="appointment__person",
        )
        for kind, label in KINDS.items():
            register_kind(kind, label)
