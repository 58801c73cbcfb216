from django.urls import path

from starters.views import own, staff, training

app_name = "starters"

urlpatterns = [
    # Staff
    path("intern/igs/", staff.StarterListView.as_view(), name="starter_list"),
    path("intern/igs/neu/", staff.StarterFormView.as_view(), name="starter_create"),
    path("intern/igs/<int:pk>/", staff.StarterDetailView.as_view(), name="starter_detail"),
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
    # The starter's own area
    path("mein-bereich/", own.HomeView.as_view(), name="home"),
    path("mein-bereich/profil/", own.ProfileEditView.as_view(), name="own_profile"),
    path(
        "mein-bereich/nachweise/",
        own.CertificateListView.as_view(),
        name="own_certificates",
    ),
    path(
        "mein-bereich/nachweise/<int:pk>/",
        own.CertificateView.as_view(),
        name="own_certificate",
    ),
]
