from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, register_converter
from django.views.decorators.debug import sensitive_post_parameters
from django.views.i18n import set_language

from groups.views import rooms as room_plans
from kontaktstelle.accounts import login_security, password_reset
from kontaktstelle.accounts import views as accounts
from kontaktstelle.audit import views as audit
from kontaktstelle.notifications import views as notifications
from kontaktstelle.offices import embedding, legal
from kontaktstelle.offices import views as offices
from kontaktstelle.privacy import views as privacy
from kontaktstelle.reports import dashboard
from kontaktstelle.reports import views as reports
from kontaktstelle.web import views as web

register_converter(legal.PageConverter, "legal")
handler500 = "kontaktstelle.web.unavailable.server_error"

urlpatterns = [
    path("", offices.home, name="home"),
    path("kontaktstellen/<slug:slug>/", offices.home, name="office_public"),
    # Privacy notice, imprint, accessibility statement: /datenschutz/, /impressum/, ...
    path("<legal:kind>/", offices.legal_page, name="legal_page"),
    path(
        "kontaktstellen/<slug:slug>/<legal:kind>/",
        offices.legal_page,
        name="office_legal_page",
    ),
    path("healthz", web.healthz, name="healthz"),
    path("sprache/", login_not_required(set_language), name="set_language"),
    path("", include("groups.urls")),
    path("api/hsds/", include("groups.api.urls")),  # the directory as HSDS 3.0
    path("", include("starters.urls")),
    # Accounts
    path("anmelden/", accounts.LoginView.as_view(), name="login"),
    path("abmelden/", auth_views.LogoutView.as_view(), name="logout"),
    path("einladung/<str:token>/", accounts.accept_invitation, name="accept_invitation"),
    path("weiter/", accounts.home_for_user, name="home_for_user"),
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
        sensitive_post_parameters("email")(password_reset.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "passwort/vergessen/gesendet/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "passwort/neu/<uidb64>/<token>/",
        login_security.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "passwort/neu/fertig/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("anmelden/code/", accounts.verify, name="two_factor_verify"),
    path("zwei-faktor/", accounts.setup, name="two_factor_setup"),
    path(
        "zwei-faktor/ersatzcodes/",
        accounts.new_backup_codes,
        name="two_factor_backup_codes",
    ),
    # Staff area
    path("intern/", dashboard.DashboardView.as_view(), name="dashboard"),
    path("intern/statistik/", reports.StatisticsView.as_view(), name="statistics"),
    path("benachrichtigungen/", notifications.NotificationListView.as_view(), name="notifications"),
    path(
        "benachrichtigungen/einstellungen/",
        notifications.NotificationSettingsView.as_view(),
        name="notification_settings",
    ),
    path("intern/standorte/<int:pk>/", offices.SiteDetailView.as_view(), name="site_detail"),
    path(
        "intern/standorte/<int:pk>/raumplan/",
        room_plans.RoomPlanView.as_view(),
        name="room_plan",
    ),
    path("intern/protokoll/", audit.AuditLogView.as_view(), name="audit_log"),
    path("intern/rechtstexte/", offices.LegalTextListView.as_view(), name="legal_texts"),
    path(
        "intern/rechtstexte/<legal:kind>/",
        offices.LegalTextEditView.as_view(),
        name="legal_text_edit",
    ),
    path("intern/einbetten/", embedding.EmbeddingView.as_view(), name="embedding"),
    # Data protection: consents (staff), export and erasure of a person (office admins)
    path("intern/datenschutz/", privacy.PrivacyView.as_view(), name="privacy"),
    path(
        "intern/datenschutz/konten/<int:pk>/",
        privacy.AccountView.as_view(),
        name="privacy_account",
    ),
    path(
        "intern/datenschutz/konten/<int:pk>/export/",
        privacy.AccountExportView.as_view(),
        name="privacy_account_export",
    ),
    path(
        "intern/datenschutz/konten/<int:pk>/loeschen/",
        privacy.AccountEraseView.as_view(),
        name="privacy_account_erase",
    ),
    path(
        "intern/datenschutz/anfragende/export/",
        privacy.VisitorExportView.as_view(),
        name="privacy_visitor_export",
    ),
    path(
        "intern/datenschutz/anfragende/loeschen/",
        privacy.VisitorEraseView.as_view(),
        name="privacy_visitor_erase",
    ),
    path(
        "intern/datenschutz/widerruf/<slug:kind>/<int:pk>/",
        privacy.ConsentWithdrawView.as_view(),
        name="consent_withdraw",
    ),
    path("intern/admin/", admin.site.urls),
    # Coordinators' area
    path("netzwerk/", reports.NetworkStatisticsView.as_view(), name="network_overview"),
]
