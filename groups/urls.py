from django.urls import path

from groups.views import (
    consultations,
    embed,
    exchange,
    missed_searches,
    public,
    referrals,
    staff,
    verification,
)
from groups.views import schedules as schedule_views

app_name = "groups"

urlpatterns = [
    # Public
    path("gruppen/", public.directory, name="directory"),
    path("gruppen/in-gruendung/", public.FoundingGroupsView.as_view(), name="founding_groups"),
    path("gruppen/gruenden/", public.FoundingInterestView.as_view(), name="founding_interest"),
    path("gruppen/danke/", public.thanks, name="thanks"),
    path("gruppen/druck/", public.print_directory, name="print_directory"),
    path("gruppen/<slug:slug>/termine.ics", public.group_calendar, name="group_calendar"),
    path("gruppen/<slug:slug>/", public.group_page, name="public_group"),
    # An office's directory in a frame on the websites it lists
    path("einbetten/<slug:office>/", embed.directory, name="embed_directory"),
    path("einbetten/<slug:office>/danke/", embed.thanks, name="embed_thanks"),
    path("einbetten/<slug:office>/gruppen/<slug:slug>/", embed.group_page, name="embed_group"),
    # The yearly check by the group's contact person: a one-time link, no account
    path("abgleich/<str:token>/", verification.SelfServiceView.as_view(), name="self_service"),
    # The follow-up of a referral by the person referred: a one-time link, no account
    path("rueckmeldung/<str:token>/", referrals.FollowUpView.as_view(), name="referral_follow_up"),
    # Staff
    path("intern/gruppen/", staff.GroupListView.as_view(), name="group_list"),
    path("intern/gruppen/neu/", staff.GroupCreateView.as_view(), name="group_create"),
    path("intern/gruppen/import/", staff.GroupImportView.as_view(), name="group_import"),
    path("intern/gruppen/export/", staff.GroupExportView.as_view(), name="group_export"),
    path(
        "intern/gruppen/bestaetigen/",
        verification.ConfirmGroupsView.as_view(),
        name="group_confirm",
    ),
    path(
        "intern/gruppen/abgleich/",
        verification.VerificationQueueView.as_view(),
        name="verification_queue",
    ),
    path(
        "intern/gruppen/abgleich/<int:pk>/",
        verification.VerificationReviewView.as_view(),
        name="verification_review",
    ),
    path("intern/gruppen/<int:pk>/", staff.GroupDetailView.as_view(), name="group_detail"),
    path(
        "intern/gruppen/<int:pk>/anruf/",
        verification.CallView.as_view(),
        name="group_call",
    ),
    path(
        "intern/gruppen/<int:pk>/bearbeiten/",
        staff.GroupUpdateView.as_view(),
        name="group_update",
    ),
    path(
        "intern/gruppen/<int:pk>/termine/",
        schedule_views.ScheduleView.as_view(),
        name="group_schedule",
    ),
    path(
        "intern/gruppen/<int:pk>/termine/<slug:kind>/<int:item>/loeschen/",
        schedule_views.ScheduleDeleteView.as_view(),
        name="group_schedule_delete",
    ),
    path(
        "intern/gruppen/<int:pk>/schliessen/",
        staff.GroupCloseView.as_view(),
        name="group_close",
    ),
    path("intern/posteingang/", staff.InboxView.as_view(), name="inbox"),
    path(
        "intern/posteingang/<int:pk>/<slug:action>/",
        staff.InboxActionView.as_view(),
        name="inbox_action",
    ),
    path("intern/gruendungsboerse/", exchange.ExchangeView.as_view(), name="founding_exchange"),
    path(
        "intern/gruendungsboerse/anfrage/",
        exchange.NetworkRequestView.as_view(),
        name="network_request",
    ),
    path(
        "intern/gruendungsboerse/interesse/",
        exchange.FoundingInterestCreateView.as_view(),
        name="founding_interest_create",
    ),
    path("intern/beratungen/", consultations.ConsultationView.as_view(), name="consultations"),
    path(
        "intern/beratungen/gruppen-suche/",
        consultations.GroupSearchView.as_view(),
        name="consultation_group_search",
    ),
    path(
        "intern/beratungen/<int:pk>/bearbeiten/",
        consultations.ConsultationCorrectView.as_view(),
        name="consultation_correct",
    ),
    path(
        "intern/beratungen/<int:pk>/loeschen/",
        consultations.ConsultationDeleteView.as_view(),
        name="consultation_delete",
    ),
    path("intern/themen/", staff.TopicListView.as_view(), name="topic_list"),
    path(
        "intern/themen/nicht-gefunden/",
        missed_searches.MissedSearchListView.as_view(),
        name="missed_searches",
    ),
]
