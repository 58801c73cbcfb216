"""Staff pages of starters, training and certificates: works, scoping, roles, bad input."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kontaktstelle.accounts.models import Invitation, Membership, User
from starters.models import (
    Attendance,
    Availability,
    Certificate,
    CohortParticipation,
    Language,
    Qualification,
    Starter,
    TrainingCohort,
    TrainingEvent,
)
from tests.factories import StarterFactory, TrainingCohortFactory, TrainingEventFactory
from tests.starters.test_starters_models import availability_data, starter_form_data

TODAY = timezone.localdate()


@pytest.fixture
def profile(office):
    """A starter of the staff's office with a qualification, a language and a time."""
    starter = StarterFactory(
        office=office,
        user_name="Hanna Kraus",
        notes="Bevorzugt Gruppen in Nord.",
        qualifications=[Qualification.objects.get(code="founding")],
        # Volunteering for two years: exchange and supervision are counted from then.
        agreement_signed_on=TODAY - datetime.timedelta(days=730),
    )
    starter.languages.add(Language.objects.get(code="tr"))
    Availability.objects.create(
        starter=starter, weekday=1, starts_at=datetime.time(18), ends_at=datetime.time(21)
    )
    return starter


@pytest.fixture
def foreign(other_office):
    return StarterFactory(office=other_office, user_name="Fremde Person")


@pytest.fixture
def cohort(office):
    cohort = TrainingCohortFactory(
        office=office, name="Schulung Herbst", starts_on=TODAY - datetime.timedelta(days=60)
    )
    cohort.grants.set([Qualification.objects.get(code="founding")])
    return cohort


@pytest.fixture
def event(office):
    return TrainingEventFactory(office=office, title="Austausch November", date=TODAY)


def object_urls(profile, cohort, event, certificate):
    return [
        reverse("starters:starter_detail", args=[profile.pk]),
        reverse("starters:starter_update", args=[profile.pk]),
        reverse("starters:certificate_create", args=[profile.pk]),
        reverse("starters:certificate_detail", args=[certificate.pk]),
        reverse("starters:cohort_detail", args=[cohort.pk]),
        reverse("starters:cohort_update", args=[cohort.pk]),
        reverse("starters:event_detail", args=[event.pk]),
        reverse("starters:event_update", args=[event.pk]),
    ]


LIST_URLS = [
    "starters:starter_list",
    "starters:starter_create",
    "starters:training_overview",
    "starters:cohort_create",
    "starters:event_create",
]


@pytest.fixture
def certificate(profile):
    return Certificate.objects.create(
        starter=profile, period_start=datetime.date(2026, 1, 1), period_end=TODAY
    )


def test_every_staff_page_works_for_staff_and_office_admin(
    client, staff, office_admin, profile, cohort, event, certificate
):
    urls = [reverse(name) for name in LIST_URLS] + object_urls(profile, cohort, event, certificate)
    for user in (staff, office_admin):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 200, url


def test_other_offices_staff_get_404_for_every_object(
    client, other_staff, profile, cohort, event, certificate
):
    client.force_login(other_staff)
    for url in object_urls(profile, cohort, event, certificate):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code in (404, 405), url
    participation = CohortParticipation.objects.create(cohort=cohort, starter=profile)
    for name in ("starters:participation_complete", "starters:participation_remove"):
        assert client.post(reverse(name, args=[participation.pk])).status_code == 404
    for name in ("starters:starter_invite", "starters:certificate_create"):
        assert client.post(reverse(name, args=[profile.pk])).status_code == 404
    assert (
        client.post(reverse("starters:certificate_sign", args=[certificate.pk])).status_code == 404
    )
    certificate.refresh_from_db()
    assert not certificate.is_signed
    participation.refresh_from_db()
    assert participation.completed_on is None


@pytest.mark.parametrize("persona", ["starter", "coordinator"])
def test_other_roles_get_403(client, request, persona, profile, cohort, event, certificate):
    client.force_login(request.getfixturevalue(persona))
    for url in [reverse(name) for name in LIST_URLS] + object_urls(
        profile, cohort, event, certificate
    ):
        assert client.get(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_login(client, profile, cohort, event, certificate):
    for url in [reverse(name) for name in LIST_URLS] + object_urls(
        profile, cohort, event, certificate
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_bad_ids_answer_404(client, staff):
    client.force_login(staff)
    for name in ("starters:starter_detail", "starters:cohort_detail", "starters:event_detail"):
        assert client.get(reverse(name, args=[987654])).status_code == 404


def test_list_shows_only_the_offices_starters(client, staff, profile, foreign):
    client.force_login(staff)
    content = client.get(reverse("starters:starter_list")).content.decode()
    assert "Hanna Kraus" in content
    assert "Fremde Person" not in content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "paused"}, {"Pausierte"}),
        ({"qualification": "founding"}, {"Hanna Kraus"}),
        ({"language": "tr"}, {"Hanna Kraus"}),
        ({"weekday": "1", "daytime": "evening"}, {"Hanna Kraus"}),
        ({"weekday": "1", "daytime": "morning"}, set()),
        ({"free_capacity": "on"}, {"Hanna Kraus"}),
        ({"q": "kraus"}, {"Hanna Kraus"}),
        ({}, {"Hanna Kraus", "Ohne Platz", "Pausierte"}),
        ({"status": "retired"}, {"Im Ruhestand"}),
    ],
)
def test_list_filters(client, staff, office, site, profile, query, expected):
    StarterFactory(office=office, user_name="Ohne Platz", capacity=0)
    StarterFactory(office=office, user_name="Pausierte", status=Starter.Status.PAUSED)
    StarterFactory(office=office, user_name="Im Ruhestand", status=Starter.Status.RETIRED)
    profile.sites.add(site)
    if "qualification" in query:
        query = query | {"qualification": Qualification.objects.get(code="founding").pk}
    if "language" in query:
        query = query | {"language": Language.objects.get(code="tr").pk}
    client.force_login(staff)
    response = client.get(reverse("starters:starter_list"), query)
    shown = {starter.name for starter in response.context["starters"]}
    assert shown == expected


def test_list_filter_by_site(client, staff, office, site, profile):
    StarterFactory(office=office, user_name="Anderswo")
    profile.sites.add(site)
    client.force_login(staff)
    response = client.get(reverse("starters:starter_list"), {"site": site.pk})
    assert [starter.name for starter in response.context["starters"]] == ["Hanna Kraus"]


def test_list_ignores_invalid_filters(client, staff, profile):
    client.force_login(staff)
    response = client.get(reverse("starters:starter_list"), {"weekday": "9", "site": "x"})
    assert response.status_code == 200
    assert [starter.name for starter in response.context["starters"]] == ["Hanna Kraus"]


def test_list_query_count_does_not_grow(client, staff, office, django_assert_max_num_queries):
    founding = Qualification.objects.get(code="founding")
    german = Language.objects.get(code="de")
    for _ in range(30):
        starter = StarterFactory(office=office, qualifications=[founding])
        starter.languages.add(german)
        Attendance.objects.create(starter=starter, event=TrainingEventFactory(office=office))
    client.force_login(staff)
    # session, user, membership, count, page, qualifications, languages, filter choices x3
    # +1: the menu's count of new requests in the inbox (issue 19), on every staff page.
    with django_assert_max_num_queries(12):
        response = client.get(reverse("starters:starter_list"))
    assert len(response.context["starters"]) == 30


def test_detail_shows_the_whole_record(client, staff, profile, cohort, event, certificate):
    CohortParticipation.objects.create(cohort=cohort, starter=profile, completed_on=TODAY)
    Attendance.objects.create(event=event, starter=profile)
    client.force_login(staff)
    content = client.get(profile.get_absolute_url()).content.decode()
    for text in ("Hanna Kraus", "Schulung Herbst", "Austausch November", "Bevorzugt Gruppen"):
        assert text in content


def test_detail_query_count_does_not_grow(
    client, staff, office, profile, django_assert_max_num_queries
):
    for index in range(10):
        CohortParticipation.objects.create(
            cohort=TrainingCohortFactory(office=office), starter=profile
        )
        Attendance.objects.create(
            starter=profile,
            event=TrainingEventFactory(office=office, date=TODAY - datetime.timedelta(days=index)),
        )
    client.force_login(staff)
    with django_assert_max_num_queries(20):
        assert client.get(profile.get_absolute_url()).status_code == 200


def create_payload(**overrides):
    return starter_form_data(**overrides) | availability_data([(1, "18:00", "21:00")])


def test_staff_create_and_invite_a_starter(
    client, staff, office, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("starters:starter_create"), create_payload(email="Neu@Example.org")
        )
    starter = Starter.objects.get(user__email="Neu@example.org")
    assert response.status_code == 302
    assert response.url == starter.get_absolute_url()
    assert starter.office == office
    assert starter.user.membership.role == Membership.Role.STARTER
    assert starter.user.membership.office == office
    assert not starter.user.has_usable_password()
    assert [(a.weekday, a.starts_at) for a in starter.availabilities.all()] == [
        (1, datetime.time(18))
    ]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Neu@example.org"]
    link = re.search(r"https?://\S+/einladung/\S+/", message.body).group(0)
    assert client.get(link).status_code == 200
    assert Invitation.objects.get(user=starter.user).invited_by == staff


@pytest.mark.parametrize(
    "payload",
    [
        create_payload(phone="anrufen"),
        create_payload(capacity="11"),
        create_payload(email="fachkraft@example.org"),
        starter_form_data() | availability_data([(1, "21:00", "18:00")]),
    ],
)
def test_bad_create_input_changes_nothing(
    client, staff, payload, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    users = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("starters:starter_create"), payload)
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode() or response.context["formset"].errors
    assert User.objects.count() == users
    assert not Starter.objects.exists()
    assert mail.outbox == []


def test_staff_edit_changes_status_and_its_date(client, staff, profile):
    profile.status_since = datetime.date(2025, 1, 1)
    profile.save()
    client.force_login(staff)
    payload = starter_form_data(
        name="Hanna Kraus",
        email=profile.email,
        status=Starter.Status.PAUSED,
        paused_until=(TODAY + datetime.timedelta(days=30)).isoformat(),
    ) | availability_data([])
    response = client.post(reverse("starters:starter_update", args=[profile.pk]), payload)
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.status == Starter.Status.PAUSED
    assert profile.status_since == TODAY
    assert profile.paused_until == TODAY + datetime.timedelta(days=30)


def test_resending_an_invitation_replaces_the_old_link(
    client, staff, profile, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    profile.user.set_unusable_password()
    profile.user.save()
    url = reverse("starters:starter_invite", args=[profile.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
        client.post(url)
    assert len(mail.outbox) == 2
    first, second = (
        re.search(r"/einladung/(\S+)/", message.body).group(0) for message in mail.outbox
    )
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_no_invitation_for_someone_who_set_a_password(
    client, staff, profile, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("starters:starter_invite", args=[profile.pk]), follow=True)
    assert mail.outbox == []
    assert not Invitation.objects.exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_training_overview_lists_overdue_starters(client, staff, office, profile):
    StarterFactory(office=office, user_name="Regelmäßig")
    Attendance.objects.create(
        starter=Starter.objects.get(user__name="Regelmäßig"),
        event=TrainingEventFactory(office=office, date=TODAY - datetime.timedelta(days=20)),
    )
    client.force_login(staff)
    response = client.get(reverse("starters:training_overview"))
    assert [starter.name for starter in response.context["overdue"]] == ["Hanna Kraus"]


def test_staff_add_a_qualification_once(client, staff, office, other_office):
    client.force_login(staff)
    url = reverse("starters:training_overview")
    assert client.post(url, {"name": "Trauergruppen"}).status_code == 302
    assert Qualification.objects.get(name="Trauergruppen").office == office
    response = client.post(url, {"name": "trauergruppen"})
    assert response.status_code == 200
    assert "qualification_form" in response.context
    assert response.context["qualification_form"].errors
    response = client.post(url, {"name": "Gründungsbegleitung"})
    assert response.context["qualification_form"].errors
    assert Qualification.objects.filter(name__iexact="Trauergruppen").count() == 1


def test_other_offices_qualifications_are_not_offered(client, staff, other_office):
    Qualification.objects.create(office=other_office, name="Geheimqualifikation")
    client.force_login(staff)
    content = client.get(reverse("starters:starter_create")).content.decode()
    assert "Geheimqualifikation" not in content
    assert "Gründungsbegleitung" in content


def test_create_cohort_and_refuse_end_before_start(client, staff, office):
    client.force_login(staff)
    founding = Qualification.objects.get(code="founding")
    data = {
        "name": "Schulung 2027",
        "starts_on": "2027-02-01",
        "ends_on": "2027-01-01",
        "grants": [founding.pk],
    }
    response = client.post(reverse("starters:cohort_create"), data)
    assert response.status_code == 200
    assert "ends_on" in response.context["form"].errors
    assert not TrainingCohort.objects.exists()
    response = client.post(reverse("starters:cohort_create"), data | {"ends_on": "2027-04-01"})
    cohort = TrainingCohort.objects.get()
    assert response.url == cohort.get_absolute_url()
    assert cohort.office == office
    assert list(cohort.grants.all()) == [founding]


def test_cohort_participants_completion_and_removal(client, staff, office, cohort, foreign):
    trainee = StarterFactory(office=office, status=Starter.Status.IN_TRAINING)
    other = StarterFactory(office=office, status=Starter.Status.IN_TRAINING)
    client.force_login(staff)
    url = cohort.get_absolute_url()
    response = client.post(url, {"starters": [foreign.pk]})
    assert response.status_code == 200  # not a choice: refused with a field error
    assert not cohort.participations.exists()
    client.post(url, {"starters": [trainee.pk, other.pk]})
    assert cohort.participations.count() == 2
    participation = cohort.participations.get(starter=trainee)
    client.post(
        reverse("starters:participation_complete", args=[participation.pk]),
        {"completed_on": TODAY.isoformat()},
    )
    trainee.refresh_from_db()
    assert trainee.status == Starter.Status.ACTIVE
    assert trainee.qualifications.filter(code="founding").exists()
    remove_url = reverse(
        "starters:participation_remove", args=[cohort.participations.get(starter=other).pk]
    )
    assert client.get(remove_url).status_code == 200  # asks first
    assert cohort.participations.count() == 2
    client.post(remove_url)
    assert list(cohort.participations.values_list("starter", flat=True)) == [trainee.pk]
    response = client.post(
        reverse("starters:participation_remove", args=[participation.pk]), follow=True
    )
    assert cohort.participations.filter(pk=participation.pk).exists()
    assert response.status_code == 200


def test_completion_without_a_date_changes_nothing(client, staff, office, cohort):
    participation = CohortParticipation.objects.create(
        cohort=cohort, starter=StarterFactory(office=office)
    )
    client.force_login(staff)
    client.post(reverse("starters:participation_complete", args=[participation.pk]), {})
    participation.refresh_from_db()
    assert participation.completed_on is None


def test_create_event_and_record_attendance(client, staff, office, profile):
    client.force_login(staff)
    migration = Qualification.objects.get(code="migration")
    response = client.post(
        reverse("starters:event_create"),
        {
            "kind": "exchange",
            "title": "Austausch",
            "date": TODAY.isoformat(),
            "hours": "2",
            "grants": [migration.pk],
        },
    )
    assert response.status_code == 200  # only courses grant qualifications
    assert "grants" in response.context["form"].errors
    client.post(
        reverse("starters:event_create"),
        {
            "kind": "continuing_education",
            "title": "Migration und Selbsthilfe",
            "date": TODAY.isoformat(),
            "hours": "6",
            "grants": [migration.pk],
        },
    )
    course = TrainingEvent.objects.get(title="Migration und Selbsthilfe")
    response = client.post(course.get_absolute_url(), {"starters": [profile.pk]})
    assert response.status_code == 302
    assert list(course.attendees.all()) == [profile]
    assert profile.qualifications.filter(code="migration").exists()


def test_event_hours_are_checked(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("starters:event_create"),
        {"kind": "supervision", "title": "S", "date": TODAY.isoformat(), "hours": "30"},
    )
    assert response.status_code == 200
    assert "hours" in response.context["form"].errors
    assert not TrainingEvent.objects.exists()


def test_attendance_for_a_future_event_is_refused(client, staff, office, profile):
    event = TrainingEventFactory(office=office, date=TODAY + datetime.timedelta(days=7))
    client.force_login(staff)
    response = client.post(event.get_absolute_url(), {"starters": [profile.pk]})
    assert response.status_code == 200
    assert not event.attendances.exists()


def test_staff_prepare_and_sign_a_certificate(client, staff, profile):
    client.force_login(staff)
    response = client.post(
        reverse("starters:certificate_create", args=[profile.pk]),
        {"period_start": "2026-01-01", "period_end": TODAY.isoformat()},
    )
    certificate = Certificate.objects.get()
    assert response.url == reverse("starters:certificate_detail", args=[certificate.pk])
    content = client.get(response.url).content.decode()
    assert "Hanna Kraus" in content
    client.post(reverse("starters:certificate_sign", args=[certificate.pk]))
    certificate.refresh_from_db()
    assert certificate.signed_by == staff
    assert certificate.signed_on == TODAY
    content = client.get(response.url).content.decode()
    assert staff.name in content
    assert "Bevorzugt Gruppen" not in content  # staff notes never on a certificate


def test_bad_certificate_period_changes_nothing(client, staff, profile):
    client.force_login(staff)
    response = client.post(
        reverse("starters:certificate_create", args=[profile.pk]),
        {"period_start": "2026-05-01", "period_end": "2026-01-01"},
    )
    assert response.status_code == 200
    assert "period_end" in response.context["form"].errors
    assert not Certificate.objects.exists()


def test_dashboard_shows_starter_counts_and_certificates(client, staff, profile, certificate):
    client.force_login(staff)
    response = client.get(reverse("dashboard"))
    assert response.context["starter_counts"]["active"] == 1
    assert response.context["starter_counts"]["exchange_overdue"] == 1
    assert list(response.context["pending_certificates"]) == [certificate]


def test_training_pages_query_counts_do_not_grow(
    client, staff, office, cohort, event, django_assert_max_num_queries
):
    for index in range(20):
        starter = StarterFactory(office=office, status=Starter.Status.ACTIVE)
        CohortParticipation.objects.create(cohort=cohort, starter=starter)
        Attendance.objects.create(event=event, starter=starter)
        TrainingEventFactory(office=office, date=TODAY - datetime.timedelta(days=index + 400))
        TrainingCohortFactory(office=office)
    client.force_login(staff)
    for url, limit in [
        (reverse("starters:training_overview"), 10),
        (cohort.get_absolute_url(), 12),
        (event.get_absolute_url(), 12),
    ]:
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200
