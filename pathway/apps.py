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
            person="person",
        )
        track(TeamMember, fields=["user", "structure", "role", "ended_at"], person="pathway__person")
        track(ReferentHistory, fields=["user", "structure", "ended_at", "end_reason"], person="pathway__person")
        track(AccessRequest, fields=["status", "answer_comment"], person="person")
