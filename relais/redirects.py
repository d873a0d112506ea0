"""Where a form sends the professional back: the ``next`` address it carries, only when it is a path of this site."""

from django.utils.http import url_has_allowed_host_and_scheme


def local_next(request):
    """The ``next`` address of the request (posted or in the query), when it is a path of this site: never another
    site, never a bare word (which ``redirect`` would read as a URL name), never a control character. ``None``
    otherwise."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not target.startswith("/") or target.startswith("//") or any(ord(character) < 32 for character in target):
        return None
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return None
    return target
