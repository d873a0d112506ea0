"""The demo offer: enough services and referrals for every screen to show something real, made by the actions."""

import io

import pytest
from django.core.management import call_command

from offer import schema
from offer.models import Referral, Service


@pytest.mark.django_db
def test_the_demo_offer_covers_every_category_zone_level_and_status():
    call_command("seed_demo", stdout=io.StringIO())

    services = list(Service.objects.filter(structure__isnull=False))
    published = [service for service in services if service.status == Service.Status.PUBLISHED]
    assert 140 <= len(services) <= 170
    assert {schema.category_of(value) for service in published for value in service.thematiques} == {
        category.value for category in schema.Categorie
    }
    levels = {len(code) for service in published for code in service.zone}
    assert levels == {2, 5, 9}  # département, commune, EPCI
    assert any(service.capacity == Service.Capacity.FULL for service in published)
    assert any(service.capacity == Service.Capacity.WAITING_LIST for service in published)
    assert any(service.suspended_today for service in published)
    assert set(Referral.objects.values_list("status", flat=True)) == set(Referral.Status.values)
    assert Referral.objects.filter(receiver_structure__name="Tremplin Emploi 91", status="sent").exists()
    counts = (Service.objects.count(), Referral.objects.count())

    call_command("seed_demo", stdout=io.StringIO())

    assert (Service.objects.count(), Referral.objects.count()) == counts
