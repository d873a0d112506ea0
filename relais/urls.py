from django.contrib import admin
from django.urls import include, path

from relais import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("mentions-legales/", views.legal_notice, name="legal_notice"),
    path("donnees-personnelles/", views.privacy, name="privacy"),
    path("sante/", views.health, name="health"),
    path("", include("entry.urls")),
    path("", include("pathway.urls")),
    path("offre/", include("offer.urls")),
    path("imports/", include("imports.urls")),
    path("", include("accounts.urls")),
    path("territoire/", include("territory.urls")),
    path("audit/", include("audit.urls")),
    path("admin-technique/", admin.site.urls),
]

handler400 = "relais.views.bad_request"
handler403 = "relais.views.forbidden"
handler404 = "relais.views.not_found"
handler500 = "relais.views.server_error"
