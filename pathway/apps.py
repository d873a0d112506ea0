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
        track(TeamMember, fields=["user", "structure", "role", "ended_at", "end_reason"])
        track(ReferentHistory, fields=["user", "structure", "ended_at", "end_reason"])
        track(AccessRequest, fields=["status", "answer_comment"])

        from pathway.models import Note

        # The text of a note is personal data: the history says that it changed, never what it said.
        track(
            Note, fields=["kind", "contact_on", "contact_mode", "text", "sensitive", "visibility"], sensitive=["text"]
        )
        from accounts.signals import membership_deactivated
        from pathway import (
            actions,
            note_actions,  # noqa: F401  (registers the notes' timeline kinds)
        )
        from pathway.merging import register_relations

        register_relations()

        membership_deactivated.connect(
            lambda sender, membership, **kwargs: actions.end_memberships_of(membership),
            weak=False,
            dispatch_uid="pathway-end-memberships",
        )
