from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

admin.site.site_header = "Relais – administration technique"
admin.site.site_title = "Relais"
admin.site.index_title = "Administration technique (toutes les actions sont journalisées)"


@login_not_required
def _login_through_relais(request, extra_context=None):
    """The technical admin has no login of its own: the lockout and the second factor always apply."""
    target = request.GET.get("next", reverse("admin:index"))
    return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")


admin.site.login = _login_through_relais
