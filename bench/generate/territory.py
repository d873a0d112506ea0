"""The territory: the département's communes, EPCI and postcodes, from the shipped files."""

from territory.loading import load_departement
from territory.models import Commune, Epci

LABEL = "Territoire"


def is_generated(scale):
    return Commune.objects.filter(departement_id=scale.departement).exists()


def generate(rng, scale):
    load_departement(scale.departement)


def counts(scale):
    communes = Commune.objects.filter(departement_id=scale.departement)
    return {
        "communes": communes.count(),
        "epci": Epci.objects.filter(communes__departement_id=scale.departement).distinct().count(),
    }
