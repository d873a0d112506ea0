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
                "orientation_due_on",
                "referent_structure",
                "referent",
                "contract_due_on",
            ],
        )
        track(TeamMember, fields=["user", "structure", "role", "ended_at", "end_reason"])
        track(ReferentHistory, fields=["user", "structure", "ended_at", "end_reason"])
        track(AccessRequest, fields=["status", "answer_comment"])
        # The text of a note is personal data: the history says that it changed, never what it said.
        track(
            Note, fields=["kind", "contact_on", "contact_mode", "text", "sensitive", "visibility"], sensitive=["text"]
        )
        track(Alert, fields=["status", "assigned_to", "assigned_structure", "taken_by", "closed_by", "closing_note"])

        register_relations()
        ruptures.wire_known_models()

        membership_deactivated.connect(
            lambda sender, membership, **kwargs: actions.end_memberships_of(membership),
            weak=False,
            dispatch_uid="pathway-end-memberships",
        )
        # The daily computation of the rupture alerts is scheduled once the database can hold the task queue.
        post_migrate.connect(schedule_after_migrate, sender=self, dispatch_uid="pathway-schedule-ruptures")
