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
