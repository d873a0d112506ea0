"""What the offer's forms post, shared by the page tests and the access matrix."""


def service_form(**overrides):
    """A complete service description, as a structure admin types it (``None`` leaves a field out)."""
    data = {
        "name": "Permis solidaire",
        "description": "Préparer le code et la conduite, avec des leçons financées et un suivi personnalisé.",
        "kind": "accompagnement",
        "thematiques": ["mobilite--preparer-un-permis", "mobilite--financer-ma-mobilite"],
        "publics": ["beneficiaires-des-minimas-sociaux", "jeunes"],
        "fees": "gratuit",
        "reception_modes": ["en-presentiel"],
        "address": "12 avenue de la Gare",
        "commune": "91228",
        "phone": "01 60 12 34 56",
        "email": "permis@tremplin.exemple.fr",
        "mobilisation_modes": ["envoyer-un-courriel"],
        "mobilisable_by": ["professionnels"],
        "zone_epcis": ["200059228"],
        "capacity": "open",
        "places_open": "8",
        "response_days": "15",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
