from django.apps import AppConfig

# The events the offer writes on a person's timeline, with their French label.
TIMELINE_KINDS = {
    "offer.referral_sent": "Orientation vers un service envoyée",
    "offer.referral_under_review": "Orientation vers un service à l'étude",
    "offer.referral_accepted": "Orientation vers un service acceptée",
    "offer.referral_refused": "Orientation vers un service refusée",
    "offer.referral_started": "Accompagnement d'un service commencé",
    "offer.referral_completed": "Accompagnement d'un service terminé",
    "offer.referral_abandoned": "Accompagnement d'un service abandonné",
    "offer.referral_expired": "Orientation vers un service expirée",
}


class OfferConfig(AppConfig):
    name = "offer"
    verbose_name = "offre d'accompagnement"

    def ready(self):
        from audit.journal import track
        from offer.merging import register_relations
        from offer.models import Referral, Service
        from pathway.timeline import register_kind

        register_relations()

        from offer import carnet

        carnet.register()

        for kind, label in TIMELINE_KINDS.items():
            register_kind(kind, label)
        track(
            Service,
            fields=[
                "name",
                "status",
                "capacity",
                "places_open",
                "response_days",
                "suspended_from",
                "suspended_until",
                "zone",
                "thematiques",
                "publics",
                "updated_at",
            ],
        )
        track(
            Referral,
            fields=["status", "receiver_structure", "refusal_reason", "handled_by", "started_on", "end_reason"],
        )
