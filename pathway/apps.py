from django.apps import AppConfig


class PathwayConfig(AppConfig):
    name = "pathway"
    verbose_name = "suivi de parcours"

    def ready(self):
        from audit.journal import track
        from pathway.models import AccessRequest, Pathway, ReferentHistory, TeamMember

        track(
            Pathway,
            fields=[
                "status",
                "pathway_type",
                "entered_at",
                "entry_source",
                "orientation_due_on",
                "referent_structure",
                "referent",
                "contract_due_on",
                "exit_reason",
                "exit_detail",
                "exited_on",
            ],
        )
        track(TeamMember, fields=["user", "structure", "role", "mission", "ended_at", "end_reason"])
        track(
            ReferentHistory,
            fields=["user", "structure", "ended_at", "end_reason", "handover_note"],
            sensitive=["handover_note"],
        )
        track(AccessRequest, fields=["status", "answer_comment"])

        from accounts.signals import membership_deactivated
        from pathway import actions, carnet_sections, caseload  # noqa: F401  (caseload registers its own columns)
        from pathway.merging import register_relations

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
        )
        track(AppointmentInvitation, fields=["channels", "expires_at", "used_at", "revoked_at"])
        for kind, label in KINDS.items():
            register_kind(kind, label)
