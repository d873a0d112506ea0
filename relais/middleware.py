"""Addresses refused outright, before any view reads them."""

from django.core.exceptions import BadRequest


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
