from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from kontaktstelle import statistics_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("kontaktstellen/<slug:slug>/", views.home, name="office_public"),
    path("healthz", views.healthz, name="healthz"),
    path("sprache/", login_not_required(set_language), name="set_language"),
    path("", include("groups.urls")),
    path("", include("starters.urls")),
    # Accounts
    path("anmelden/", views.LoginView.as_view(), name="login"),
    path("abmelden/", auth_views.LogoutView.as_view(), name="logout"),
    path("einladung/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("weiter/", views.home_for_user, name="home_for_user"),
    path(
        "passwort/aendern/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "passwort/geaendert/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "passwort/vergessen/",
        auth_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "passwort/vergessen/gesendet/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "passwort/neu/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "passwort/neu/fertig/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # Staff area
    path("intern/", views.DashboardView.as_view(), name="dashboard"),
    path("intern/statistik/", statistics_views.StatisticsView.as_view(), name="statistics"),
    path("benachrichtigungen/", views.NotificationListView.as_view(), name="notifications"),
    path("intern/standorte/<int:pk>/", views.SiteDetailView.as_view(), name="site_detail"),
    path("intern/admin/", admin.site.urls),
    # Coordinators' area
    path("netzwerk/", statistics_views.NetworkStatisticsView.as_view(), name="network_overview"),
]
