"""Factories for the offer (factory-boy, traits rather than subclasses)."""

import factory
from django.utils import timezone

from offer.models import Service
from offer.search import write_keys
from territory.models import Commune
from tests.factories import StructureFactory


class ServiceFactory(factory.django.DjangoModelFactory):
    """A published service of a Relais structure, open to the whole Essonne, for everyone, free."""

    class Meta:
        model = Service
        skip_postgeneration_save = True

    structure = factory.SubFactory(StructureFactory)
    name = factory.Sequence(lambda n: f"Atelier n° {n}")
    description = "Un atelier collectif pour avancer, avec un accompagnement individuel entre les séances."
    kind = "atelier"
    thematiques = factory.LazyFunction(lambda: ["mobilite--preparer-un-permis"])
    publics = factory.LazyFunction(lambda: ["tous-publics"])
    fees = "gratuit"
    reception_modes = factory.LazyFunction(lambda: ["en-presentiel"])
    commune = factory.LazyFunction(lambda: Commune.objects.get(code="91228"))
    postcode = "91000"
    address = "3 rue des Écoles"
    zone = factory.LazyFunction(lambda: ["91"])
    status = Service.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    class Params:
        draft = factory.Trait(status=Service.Status.DRAFT, published_at=None)
        full = factory.Trait(capacity=Service.Capacity.FULL)

    @factory.post_generation
    def indexed(service, create, value, **kwargs):
        """The search keys, as every action writes them."""
        if create:
            write_keys(service)
