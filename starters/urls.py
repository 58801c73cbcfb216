from django.urls import path

from starters.views import (
    accompaniments,
    app,
    applications,
    documents,
    expenses,
    meeting_logs,
    own,
    staff,
    training,
)

app_name = "starters"

urlpatterns = [
    # Staff
    path("intern/igs/", staff.StarterListView.as_view(), name="starter_list"),
    path("intern/igs/neu/", staff.StarterFormView.as_view(), name="starter_create"),
    path("intern/igs/<int:pk>/", staff.StarterDetailView.as_view(), name="starter_detail"),
    path(
        "intern/igs/<int:pk>/unterlagen/",
        documents.StarterDocumentsView.as_view(),
        name="starter_documents",
    ),
    path(
        "intern/igs/unterlagen/",
        documents.DocumentOverviewView.as_view(),
        name="document_overview",
    ),
    path(
        "intern/igs/unterlagen/regeln/",
        documents.DocumentRulesView.as_view(),
        name="document_rules",
    ),
    path(
        "intern/igs/<int:pk>/bearbeiten/",
        staff.StarterFormView.as_view(),
        name="starter_update",
    ),
    path(
        "intern/igs/<int:pk>/einladen/",
        staff.StarterInviteView.as_view(),
        name="starter_invite",
    ),
    path(
        "intern/igs/<int:pk>/nachweis/",
        staff.CertificateCreateView.as_view(),
        name="certificate_create",
    ),
    path(
        "intern/nachweise/<int:pk>/",
        staff.CertificateDetailView.as_view(),
        name="certificate_detail",
    ),
    path(
        "intern/nachweise/<int:pk>/bestaetigen/",
        staff.CertificateSignView.as_view(),
        name="certificate_sign",
    ),
    path(
        "intern/schulungen/",
        training.TrainingOverviewView.as_view(),
        name="training_overview",
    ),
    path(
        "intern/schulungen/durchgaenge/neu/",
        training.CohortCreateView.as_view(),
        name="cohort_create",
    ),
    path(
        "intern/schulungen/durchgaenge/<int:pk>/",
        training.CohortDetailView.as_view(),
        name="cohort_detail",
    ),
    path(
        "intern/schulungen/durchgaenge/<int:pk>/bearbeiten/",
        training.CohortUpdateView.as_view(),
        name="cohort_update",
    ),
    path(
        "intern/schulungen/teilnahmen/<int:pk>/abschliessen/",
        training.ParticipationCompleteView.as_view(),
        name="participation_complete",
    ),
    path(
        "intern/schulungen/teilnahmen/<int:pk>/entfernen/",
        training.ParticipationRemoveView.as_view(),
        name="participation_remove",
    ),
    path(
        "intern/schulungen/termine/neu/",
        training.EventCreateView.as_view(),
        name="event_create",
    ),
    path(
        "intern/schulungen/termine/<int:pk>/",
        training.EventDetailView.as_view(),
        name="event_detail",
    ),
    path(
        "intern/schulungen/termine/<int:pk>/bearbeiten/",
        training.EventUpdateView.as_view(),
        name="event_update",
    ),
    path(
        "intern/begleitungen/",
        accompaniments.AccompanimentListView.as_view(),
        name="accompaniment_list",
    ),
    path(
        "intern/begleitungen/neu/",
        accompaniments.AccompanimentFormView.as_view(),
        name="accompaniment_create",
    ),
    path(
        "intern/begleitungen/aus-anfrage/<int:pk>/",
        accompaniments.FromInquiryView.as_view(),
        name="accompaniment_from_inquiry",
    ),
    path(
        "intern/begleitungen/<int:pk>/",
        accompaniments.AccompanimentDetailView.as_view(),
        name="accompaniment_detail",
    ),
    path(
        "intern/begleitungen/<int:pk>/bearbeiten/",
        accompaniments.AccompanimentFormView.as_view(),
        name="accompaniment_update",
    ),
    path(
        "intern/begleitungen/<int:pk>/abbrechen/",
        accompaniments.AccompanimentCancelView.as_view(),
        name="accompaniment_cancel",
    ),
    path(
        "intern/begleitungen/<int:pk>/<slug:action>/",
        accompaniments.AccompanimentActionView.as_view(),
        name="accompaniment_action",
    ),
    # The starter's own area
    path("mein-bereich/", own.HomeView.as_view(), name="home"),
    path("mein-bereich/profil/", own.ProfileEditView.as_view(), name="own_profile"),
    path(
        "mein-bereich/nachweise/",
        own.CertificateListView.as_view(),
        name="own_certificates",
    ),
    path("mein-bereich/angebote/<int:pk>/", own.OfferView.as_view(), name="own_offer"),
    path(
        "mein-bereich/nachweise/<int:pk>/",
        own.CertificateView.as_view(),
        name="own_certificate",
    ),
    path(
        "mein-bereich/angebote/<int:pk>/treffen/neu/",
        meeting_logs.LogCreateView.as_view(),
        name="own_log_create",
    ),
    path(
        "mein-bereich/angebote/<int:pk>/termine/<str:date>.ics",
        meeting_logs.MeetingIcsView.as_view(),
        name="own_meeting_ics",
    ),
    path("mein-bereich/treffen/<int:pk>/", meeting_logs.LogEditView.as_view(), name="own_log_edit"),
    # The volunteers' app: logs kept on the phone without network are sent here.
    path(
        "mein-bereich/angebote/<int:pk>/treffen/senden/",
        meeting_logs.LogSyncView.as_view(),
        name="own_log_sync",
    ),
    path("mein-bereich/app.webmanifest", app.manifest, name="app_manifest"),
    path("mein-bereich/service-worker.js", app.service_worker, name="service_worker"),
    path("mein-bereich/offline/", app.offline, name="offline"),
    path("mein-bereich/kalender/", meeting_logs.CalendarLinkView.as_view(), name="own_calendar"),
    path("mein-bereich/fahrtkosten/", expenses.OwnTravelView.as_view(), name="own_travel"),
    path(
        "mein-bereich/fahrtkosten/<int:year>/<int:month>/",
        expenses.OwnClaimView.as_view(),
        name="own_travel_claim",
    ),
    path(
        "mein-bereich/stunden-<int:year>.csv",
        expenses.OwnHoursCsvView.as_view(),
        name="own_hours_csv",
    ),
    path(
        "intern/igs/<int:pk>/fahrtkosten/<int:year>/<int:month>/",
        expenses.StarterClaimView.as_view(),
        name="starter_travel_claim",
    ),
    path(
        "intern/igs/<int:pk>/stunden-<int:year>.csv",
        expenses.StarterHoursCsvView.as_view(),
        name="starter_hours_csv",
    ),
    path("kalender/<str:token>.ics", meeting_logs.calendar_feed, name="calendar_feed"),
    # Applications as In-Gang-Setzer:in: the public form (per office) and the pipeline
    path("in-gang-setzer-werden/", applications.ApplyView.as_view(), name="apply"),
    path(
        "kontaktstellen/<slug:slug>/in-gang-setzer-werden/",
        applications.ApplyView.as_view(),
        name="office_apply",
    ),
    path("in-gang-setzer-werden/danke/", applications.apply_thanks, name="apply_thanks"),
    path(
        "intern/bewerbungen/", applications.ApplicationListView.as_view(), name="application_list"
    ),
    path(
        "intern/bewerbungen/<int:pk>/",
        applications.ApplicationDetailView.as_view(),
        name="application_detail",
    ),
    path(
        "intern/bewerbungen/<int:pk>/absagen/",
        applications.ApplicationRejectView.as_view(),
        name="application_reject",
    ),
    path(
        "intern/bewerbungen/<int:pk>/<slug:step>/",
        applications.ApplicationStepView.as_view(),
        name="application_step",
    ),
    path(
        "intern/bewerbungen/e-mails/",
        applications.EmailTextListView.as_view(),
        name="application_texts",
    ),
    path(
        "intern/bewerbungen/e-mails/<slug:step>/",
        applications.EmailTextEditView.as_view(),
        name="application_text_edit",
    ),
    # Staff correct any log of their office, also after the starters' 14 days.
    path(
        "intern/treffen/<int:pk>/bearbeiten/", meeting_logs.LogEditView.as_view(), name="log_edit"
    ),
]
