from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "personnes accompagnées"

    def ready(self):
        from audit.journal import track
        from people.models import Person, PersonMerge

        track(
            Person,
            fields=[
                "birth_name",
                "usage_name",
                "first_names",
                "birth_date",
                "sex",
                "nir_digest",
                "caf_number",
                "france_travail_id",
                "email",
                "phone",
                "address",
                "commune",
                "household_role",
                "rsa_since",
                "jobseeker_registered",
                "rqth",
                "objects_to_sharing",
                "merged_into",
            ],
            sensitive=["nir_digest", "rqth"],
            person="pk",
        )
        track(PersonMerge, fields=["survivor", "merged", "undone_at"], person=("survivor", "merged"))

        from people.merge import Export, Retention, ignored, register

        forth, back = ignored("la fusion elle-même : ses deux dossiers sont ceux qu'elle relie")
        for field in ("survivor", "merged"):
            register(PersonMerge, field, merge=forth, undo=back, export=Export.INCLUDED, retention=Retention.KEPT)
        forth, back = ignored("le lien de fusion, écrit par la fusion elle-même")
        register(Person, "merged_into", merge=forth, undo=back, export=Export.EXCLUDED, retention=Retention.DELETED)
        from people.models import DuplicatePair

        forth, back = ignored(
            "la liste des doublons probables laisse de côté les paires d'un dossier fusionné ; le calcul suivant "
            "les retire, et une annulation les fait revenir"
        )
        for field in ("first", "second"):
            register(DuplicatePair, field, merge=forth, undo=back, export=Export.EXCLUDED, retention=Retention.DELETED)
