import re

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from territory.models import Commune

FIELD_ID = re.compile(r"^[A-Za-z][\w-]{0,60}$")


def commune_search(request):
    """Communes of the territory by name (accents ignored), INSEE code or postcode: HTML for htmx, else JSON."""
    query = request.GET.get("q", "").strip()
    territory = Commune.objects.filter(departement_id=settings.RELAIS_DEPARTEMENT)
    field = request.GET.get("liste", "")
    if request.htmx and FIELD_ID.match(field):
        return _select_options(request, territory, query, field)
    communes = (
        territory.search(query)
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


def _select_options(request, territory, query, field):
    """The options of a commune list narrowed as one types a name or a postcode: alphabetical, accents ignored
    (« Évry » among the E); every commune again when the search is emptied."""
    communes = territory.search(query).order_by("search_name") if query else territory.order_by("search_name")
    return render(
        request,
        "territory/commune_select_options.html",
        {
            "communes": list(communes),
            "query": query,
            "selected": request.GET.get("commune", ""),
            "field": field,
        },
    )
