from django.apps import AppConfig


class PathwayConfig(AppConfig):
    name = "pathway"
    verbose_name = "suivi de parcours"

    def ready(self):
        from audit.journal import track
        from pathway.models import Pathway, TeamMember

        track(Pathway, fields=["status", "pathway_type", "referent_structure", "referent", "contract_due_on"])
        track(TeamMember, fields=["user", "structure", "role", "ended_at"])
