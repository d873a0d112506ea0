"""The matching keys of the people whose names hold a letter that folding now writes out (ı → i, ß → ss, ø → o,
đ/ð → d, ł → l, þ → th) rather than dropping, or a « St »/« Ste » now read as Saint/Sainte: worked out again, so
that « Yilmaz » typed finds « Yılmaz » on file, and « Saint-Louis » « St Louis »."""

from django.db import migrations
from django.db.models import Q

LETTERS = "ıßøØđĐðÐłŁþÞ"


def refold(apps, schema_editor):
    from people.comparison import first_names_key
    from people.identity import last_name_key, last_name_variants, name_key, phonetic

    Person = apps.get_model("people", "Person")
    NameVariant = apps.get_model("people", "NameVariant")
    pattern = f"[{LETTERS}]"
    saint = r"(^|[^a-z])ste?([^a-z]|$)"
    affected = Person.objects.filter(
        Q(birth_name__regex=pattern)
        | Q(usage_name__regex=pattern)
        | Q(first_names__regex=pattern)
        | Q(birth_name__iregex=saint)
        | Q(usage_name__iregex=saint)
    )
    names = set()
    for person in affected.iterator():
        person.name_search = name_key(person.birth_name, person.usage_name, person.first_names)
        person.birth_name_key = last_name_key(person.birth_name)
        person.usage_name_key = last_name_key(person.usage_name)
        person.first_names_key = first_names_key(person.first_names)
        person.last_name_phonetic = phonetic(person.birth_name)
        person.usage_name_phonetic = phonetic(person.usage_name) if person.usage_name else ""
        person.save(
            update_fields=[
                "name_search",
                "birth_name_key",
                "usage_name_key",
                "first_names_key",
                "last_name_phonetic",
                "usage_name_phonetic",
            ]
        )
        names.update(name for name in (person.birth_name, person.usage_name) if name)
    NameVariant.objects.bulk_create(
        [
            NameVariant(variant=variant, name=last_name_key(name))
            for name in sorted(names)
            for variant in last_name_variants(name)
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("people", "0004_duplicate_pairs")]

    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
