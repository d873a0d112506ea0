from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from territory.models import Commune


def commune_search(request):
    """Communes of the territory by name (accents ignored), INSEE code or postcode: HTML for htmx, else JSON."""
    query = request.GET.get("q", "")
    communes = (
        Commune.objects.filter(departement_id=settings.RELAIS_DEPARTEMENT)
        .search(query)
        .select_related("epci")
        .prefetch_related("postcodes")
        .order_by("-population", "name")[:15]
    )
    if request.htmx:
        return render(request, "territory/commune_options.html", {"communes": communes, "query": query})
    return JsonResponse(
        {
            "results": [
                {
                    "code": commune.code,
                    "nom": commune.name,
                    "codes_postaux": [postcode.code for postcode in commune.postcodes.all()],
                    "epci": commune.epci.name if commune.epci else None,
                }
                for commune in communes
            ]
        }
    )
