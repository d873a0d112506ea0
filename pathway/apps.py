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
            ],
        )
        track(TeamMember, fields=["user", "structure", "role", "ended_at"])
        track(ReferentHistory, fields=["user", "structure", "ended_at", "end_reason"])
        track(AccessRequest, fields=["status", "answer_comment"])

        # Contrat d'engagement: its change history and timeline kinds.
        from pathway.contract_actions import register_contract_history

        register_contract_history()
