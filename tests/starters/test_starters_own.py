"""The starter's own area and the invitation link: only one's own record, clear refusals."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kontaktstelle.accounts.invitations import send_invitation
from kontaktstelle.accounts.models import Invitation, Membership
from starters.models import Availability, Certificate, Starter
from tests.factories import member
from tests.starters.test_starters_models import availability_data

TODAY = timezone.localdate()
OWN_URLS = ["starters:home", "starters:own_profile", "starters:own_certificates"]


def profile_payload(**overrides):
    return {"name": "Maria Schneider", "phone": "0171 2345678", "capacity": "3"} | overrides


def test_own_area_shows_own_record_without_staff_notes(client, starter):
    profile = starter.starter
    profile.notes = "Nur für die Fachkräfte"
    profile.save()
    Availability.objects.create(
        starter=profile, weekday=3, starts_at=datetime.time(17), ends_at=datetime.time(19)
    )
    client.force_login(starter)
    content = client.get(reverse("starters:home")).content.decode()
    assert "Maria Schneider" in content
    assert "17:00" in content
    assert "Nur für die Fachkräfte" not in content


@pytest.mark.parametrize("persona", ["staff", "office_admin", "coordinator"])
def test_other_roles_get_403(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    for name in OWN_URLS:
        assert client.get(reverse(name)).status_code == 403


def test_anonymous_visitors_are_sent_to_login(client):
    for name in OWN_URLS:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_a_starter_without_profile_is_told_so(client, office):
    user = member(Membership.Role.STARTER, office=office)
    client.force_login(user)
    response = client.get(reverse("starters:home"))
    assert response.status_code == 200
    assert response.templates[0].name == "starters/no_profile.html"


def test_starter_edits_own_profile_and_availability(client, starter):
    client.force_login(starter)
    payload = profile_payload() | availability_data([(1, "18:00", "20:00"), (3, "10:00", "12:00")])
    response = client.post(reverse("starters:own_profile"), payload)
    assert response.status_code == 302
    profile = Starter.objects.get(user=starter)
    assert profile.phone == "0171 2345678"
    assert profile.capacity == 3
    assert [(a.weekday, a.starts_at, a.ends_at) for a in profile.availabilities.all()] == [
        (1, datetime.time(18), datetime.time(20)),
        (3, datetime.time(10), datetime.time(12)),
    ]


def test_starter_cannot_change_status_notes_or_qualifications(client, starter):
    client.force_login(starter)
    payload = profile_payload(status="retired", notes="x", email="neu@example.org")
    client.post(reverse("starters:own_profile"), payload | availability_data([]))
    profile = Starter.objects.get(user=starter)
    profile.user.refresh_from_db()
    assert profile.status == Starter.Status.ACTIVE
    assert profile.notes == ""
    assert profile.user.email == "igs@example.org"


@pytest.mark.parametrize(
    "payload",
    [
        profile_payload(phone="zuhause") | availability_data([]),
        profile_payload(capacity="11") | availability_data([]),
        profile_payload(capacity="-1") | availability_data([]),
        profile_payload() | availability_data([(1, "20:00", "18:00")]),
    ],
)
def test_bad_profile_input_changes_nothing(client, starter, payload):
    client.force_login(starter)
    response = client.post(reverse("starters:own_profile"), payload)
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    profile = Starter.objects.get(user=starter)
    assert profile.phone == "0123 456789"
    assert profile.capacity == 2
    assert not profile.availabilities.exists()


def test_starter_cannot_edit_someone_elses_availability(client, starter, other_starter):
    foreign = Availability.objects.create(
        starter=other_starter.starter,
        weekday=2,
        starts_at=datetime.time(9),
        ends_at=datetime.time(10),
    )
    client.force_login(starter)
    payload = profile_payload() | {
        "availability-TOTAL_FORMS": "1",
        "availability-INITIAL_FORMS": "1",
        "availability-MIN_NUM_FORMS": "0",
        "availability-MAX_NUM_FORMS": "21",
        "availability-0-id": str(foreign.pk),
        "availability-0-weekday": "4",
        "availability-0-starts_at": "08:00",
        "availability-0-ends_at": "09:00",
        "availability-0-DELETE": "on",
    }
    client.post(reverse("starters:own_profile"), payload)
    foreign.refresh_from_db()
    assert foreign.weekday == 2
    assert Availability.objects.filter(pk=foreign.pk).exists()


def test_starter_asks_for_a_certificate_and_sees_only_their_own(client, starter, other_starter):
    foreign = Certificate.objects.create(
        starter=other_starter.starter, period_start=TODAY, period_end=TODAY
    )
    client.force_login(starter)
    response = client.post(
        reverse("starters:own_certificates"),
        {"period_start": "2026-01-01", "period_end": TODAY.isoformat()},
    )
    own = Certificate.objects.get(starter__user=starter)
    assert response.url == reverse("starters:own_certificate", args=[own.pk])
    assert client.get(response.url).status_code == 200
    assert client.get(reverse("starters:own_certificate", args=[foreign.pk])).status_code == 404
    listing = client.get(reverse("starters:own_certificates"))
    assert list(listing.context["certificates"]) == [own]


def test_bad_certificate_period_is_refused(client, starter):
    client.force_login(starter)
    response = client.post(
        reverse("starters:own_certificates"),
        {"period_start": "2026-05-01", "period_end": "2026-01-01"},
    )
    assert response.status_code == 200
    assert not Certificate.objects.exists()


@pytest.fixture
def invited(office, staff):
    """A new starter with an open invitation; returns (user, link path)."""
    user = member(Membership.Role.STARTER, office=office, email="neu@example.org")
    user.set_unusable_password()
    user.save()
    links = []
    send_invitation(user, staff, lambda path: links.append(path) or path)
    return user, links[0]


NEW_PASSWORD = "Selbsthilfe-verbindet-2026"


def test_invitation_sets_a_password_and_logs_in(client, invited):
    user, link = invited
    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home_for_user")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(reverse("starters:home")).status_code == 200
    assert Invitation.objects.get(user=user).accepted_at is not None


def test_used_invitation_is_refused_and_changes_nothing(client, invited):
    user, link = invited
    client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    client.logout()
    response = client.post(
        link, {"new_password1": "Anderes-Passwort-99", "new_password2": "Anderes-Passwort-99"}
    )
    assert response.status_code == 410
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(link).status_code == 410


def test_expired_invitation_is_refused(client, invited):
    user, link = invited
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 410
    assert response.context["error"].state == Invitation.State.EXPIRED
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_unknown_token_is_refused(client, db):
    assert client.get(reverse("accept_invitation", args=["nonsense"])).status_code == 410


def test_mismatching_passwords_keep_the_invitation_usable(client, invited):
    user, link = invited
    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": "anders"})
    assert response.status_code == 200
    assert response.context["form"].errors
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert Invitation.objects.usable().filter(user=user).exists()


def test_weak_password_is_refused(client, invited):
    user, link = invited
    response = client.post(link, {"new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_token_is_stored_only_as_a_hash(invited):
    _, link = invited
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert not Invitation.objects.filter(token_hash__contains=token).exists()
    assert len(Invitation.objects.get().token_hash) == 64
