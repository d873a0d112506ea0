"""What the browser and the proxies on the way may keep of the pages served; addresses refused outright."""

from django.core.exceptions import BadRequest
from django.utils.cache import add_never_cache_headers


class NoStoreWhenSignedInMiddleware:
    """No page seen by a signed-in user is kept by a browser's cache, its back-and-forward cache or a proxy.

    Every such page may show a person (a carnet, a list, a search, a journal, a letter, an htmx fragment) or
    lead to one, and new pages keep coming: marking them one by one, or by address, would miss some. A page
    seen signed out (login, legal notices) holds nothing personal and may be kept. The price is a reload on
    « back », which a shared computer at a reception desk needs anyway.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Read before and after the view: a login or a logout changes it on the way.
        signed_in = request.user.is_authenticated
        response = self.get_response(request)
        if signed_in or request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


class RejectNulCharacterMiddleware:
    """An address holding a NUL character is a bad request (400), never a server error.

    No link or form of Relais writes one, and PostgreSQL refuses it in any text: every page filtering on a
    parameter (a journal, the worklist, the directory) would otherwise fail on the first forged address. Forms
    that post one get the error next to the field from Django's own validation.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any("\x00" in value for values in request.GET.lists() for value in values[1]):
            raise BadRequest("Caractère nul dans l'adresse.")
        return self.get_response(request)
