from django.urls import path

from territory import views

app_name = "territory"

urlpatterns = [
    path("communes/", views.commune_search, name="commune_search"),
]
