from django.urls import path

from groups import views

app_name = "groups"

urlpatterns = [
    # Public
    path("gruppen/", views.directory, name="directory"),
    # Staff
    path("intern/gruppen/", views.GroupListView.as_view(), name="group_list"),
    path("intern/gruppen/neu/", views.GroupCreateView.as_view(), name="group_create"),
    path("intern/gruppen/<int:pk>/", views.GroupDetailView.as_view(), name="group_detail"),
    path(
        "intern/gruppen/<int:pk>/bearbeiten/",
        views.GroupUpdateView.as_view(),
        name="group_update",
    ),
    path(
        "intern/gruppen/<int:pk>/schliessen/",
        views.GroupCloseView.as_view(),
        name="group_close",
    ),
]
