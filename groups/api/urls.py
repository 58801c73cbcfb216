"""The HSDS 3.0 API, included under ``/api/hsds/``: the paths of its OpenAPI document."""

from django.urls import path

from groups.api import views

app_name = "hsds"

urlpatterns = [
    path("", views.index, name="index"),
    path("openapi.json", views.openapi, name="openapi"),
    path("datapackage.zip", views.datapackage_zip, name="datapackage"),
    path("services", views.services, name="services"),
    path("services/<str:service_id>", views.service, name="service"),
    path("organizations", views.organizations, name="organizations"),
    path("organizations/<str:organization_id>", views.organization, name="organization"),
    path("taxonomies", views.taxonomies, name="taxonomies"),
    path("taxonomies/<str:taxonomy_id>", views.taxonomy, name="taxonomy"),
    path("taxonomy_terms", views.taxonomy_terms, name="taxonomy_terms"),
    path("taxonomy_terms/<str:term_id>", views.taxonomy_term, name="taxonomy_term"),
    path("service_at_locations", views.service_at_locations, name="service_at_locations"),
    path(
        "service_at_locations/<str:service_at_location_id>",
        views.service_at_location,
        name="service_at_location",
    ),
]
