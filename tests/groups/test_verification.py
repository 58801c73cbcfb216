"""The yearly data check (issue 19): one-click and bulk confirmation, the e-mailed one-time
link with two reminders, the contact person's page, staff's field-by-field review, calls."""

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from groups import verification
from groups.models import Group, GroupChange, Verification
from groups.services import GroupError
from kontaktstelle.consent.models import Consent
from kontaktstelle.notifications.models import OutgoingEmail
from tests.factories import GroupFactory

LINK = re.compile(r"/abgleich/([\w-]+)/")


def due_group(office, **fields):
    """A group last confirmed 13 months ago, with a contact person's e-mail address."""
    return GroupFactory(
        office=office,
        last_confirmed_on=timezone.localdate() - datetime.timedelta(days=400),
        contact_name="Robin Beispiel",
        contact_email=fields.pop("contact_email", "robin@example.net"),
        **fields,
    )


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """``send_due`` as the cron job runs it: its e-mails go out after the commit."""

    def run(now=None):
        with django_capture_on_commit_callbacks(execute=True):
            return verification.send_due(now)

    return run


def token_of(message):
    return LINK.search(message.body).group(1)


def later(days):
    return timezone.now() + datetime.timedelta(days=days)


# Staff confirm -----------------------------------------------------------------------


def test_one_click_confirms_a_group_with_its_history(client, staff, office):
    group = due_group(office)
    client.force_login(staff)
    response = client.post(
        reverse("groups:group_confirm"), {"groups": [group.pk], "next": group.get_absolute_url()}
    )
    assert response.status_code == 302 and response.url == group.get_absolute_url()
    group.refresh_from_db()
    assert group.last_confirmed_on == timezone.localdate()
    assert not group.confirmation_overdue
    change = group.changes.get(action=GroupChange.Action.CONFIRMED)
    assert change.user == staff


def test_bulk_confirm_from_the_list_confirms_every_ticked_group(client, staff, office):
    groups = [due_group(office) for _ in range(3)]
    untouched = due_group(office)
    client.force_login(staff)
    page = client.get(reverse("groups:group_list")).content.decode()
    assert "data-bulk-confirm" in page and f'value="{groups[0].pk}"' in page
    response = client.post(
        reverse("groups:group_confirm"),
        {"groups": [g.pk for g in groups], "next": reverse("groups:group_list") + "?overdue=on"},
    )
    assert response.url == reverse("groups:group_list") + "?overdue=on"
    assert Group.objects.filter(last_confirmed_on=timezone.localdate()).count() == 3
    untouched.refresh_from_db()
    assert untouched.confirmation_overdue


def test_bulk_confirm_with_another_offices_group_changes_nothing(
    client, staff, office, other_office
):
    mine, theirs = due_group(office), due_group(other_office)
    client.force_login(staff)
    response = client.post(reverse("groups:group_confirm"), {"groups": [mine.pk, theirs.pk]})
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.confirmation_overdue and theirs.confirmation_overdue
    assert not GroupChange.objects.filter(action=GroupChange.Action.CONFIRMED).exists()


def test_confirm_without_selection_says_so(client, staff, office):
    client.force_login(staff)
    response = client.post(reverse("groups:group_confirm"), {}, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "Wählen Sie mindestens eine Gruppe zum Bestätigen aus."
    ]


def test_confirming_ends_a_running_email_check(staff, office, send):
    group = due_group(office)
    send()
    token = token_of(mail.outbox[0])
    verification.confirm_groups(staff, Group.objects.filter(pk=group.pk))
    with pytest.raises(verification.VerificationError):
        verification.usable(token)


@pytest.mark.parametrize("role", ["anonymous", "starter"])
def test_only_staff_confirm(client, request, role, office):
    group = due_group(office)
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    response = client.post(reverse("groups:group_confirm"), {"groups": [group.pk]})
    assert response.status_code in (302, 403)
    group.refresh_from_db()
    assert group.confirmation_overdue


# The e-mailed link ---------------------------------------------------------------------


def test_a_due_group_gets_one_link_and_a_rerun_sends_nothing(office, send):
    group = due_group(office)
    assert send() == (1, 0)
    assert send() == (0, 0)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["robin@example.net"]
    assert group.name in message.subject
    check = Verification.objects.get()
    token = token_of(message)
    assert token not in check.token_hash and len(check.token_hash) == 64  # only the hash
    assert not OutgoingEmail.objects.exists()  # sent: nothing with the link is kept


def test_groups_not_due_closed_or_without_email_get_no_link(office, send):
    GroupFactory(office=office, last_confirmed_on=timezone.localdate(), contact_email="a@b.de")
    due_group(office, status=Group.Status.CLOSED)
    due_group(office, contact_email="")
    assert send() == (0, 0)
    assert not mail.outbox


def test_the_check_starts_before_the_group_is_due(office, send):
    """The link and both reminders fit before the confirmation falls due."""
    lead = verification.lead_time().days
    almost = timezone.localdate() - datetime.timedelta(days=365 - lead + 2)
    GroupFactory(office=office, last_confirmed_on=almost, contact_email="x@example.net")
    assert send() == (1, 0)


def test_no_links_when_switched_off(office, settings, send):
    settings.VERIFICATION_EMAILS = False
    due_group(office)
    assert send() == (0, 0)


def test_the_database_allows_one_running_check_per_group(office):
    group = due_group(office)
    Verification.objects.create(group=group, channel=Verification.Channel.EMAIL)
    with pytest.raises(IntegrityError):
        Verification.objects.create(group=group, channel=Verification.Channel.EMAIL)


def test_two_reminders_each_with_a_new_link_then_unanswered(office, staff, send):
    due_group(office)
    send()
    first = token_of(mail.outbox[0])
    assert send(later(3)) == (0, 0)  # the link still works: no reminder
    assert send(later(15)) == (0, 1)
    second = token_of(mail.outbox[1])
    assert mail.outbox[1].subject.startswith("Erinnerung")
    assert second != first
    with pytest.raises(verification.VerificationError):
        verification.usable(first)  # replaced
    assert send(later(15)) == (0, 0)  # once per round
    assert send(later(30)) == (0, 1)
    assert send(later(60)) == (0, 0)  # never a third
    assert len(mail.outbox) == 3
    assert Verification.objects.get().reminders_sent == 2
    assert verification.queue_counts(staff, later(60))["unanswered"] == 1
    assert verification.queue_counts(staff, later(31))["unanswered"] == 0


def test_a_reminder_is_claimed_once_by_two_runs(office, send, django_capture_on_commit_callbacks):
    due_group(office)
    send()
    check = Verification.objects.get()
    stale = Verification.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert verification.remind(check, later(15)) is True
        assert verification.remind(stale, later(15)) is False  # the other run lost the claim
    assert len(mail.outbox) == 2


# The contact person's page ---------------------------------------------------------------


@pytest.fixture
def linked(office, send):
    group = due_group(
        office,
        name="Trauercafé Lindenhof",
        listing=Group.Listing.PUBLIC_WITH_PLACE,
        consent_published_on=datetime.date(2024, 3, 1),
        postcode="12345",
        city="Musterstadt",
    )
    send()
    return group, token_of(mail.outbox[0])


def form_of(group, **changes):
    values = {name: getattr(group, name) or "" for name in verification.PROPOSABLE_FIELDS} | {
        "still_meets": "yes",
        "consent": "on",
    }
    return values | changes


def test_the_page_shows_the_public_entry_and_never_staff_fields(client, linked):
    group, token = linked
    group.internal_notes = "Nur intern: Konflikt in der Gruppe"
    group.contact_phone = "0170 1234567"
    group.save()
    response = client.get(reverse("groups:self_service", kwargs={"token": token}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Trauercafé Lindenhof" in page
    assert "Nur intern" not in page and "0170 1234567" not in page
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_confirming_everything_confirms_at_once_and_renews_consent(client, linked):
    group, token = linked
    response = client.post(reverse("groups:self_service", kwargs={"token": token}), form_of(group))
    assert response.status_code == 200
    assert "data-answer-confirmed" in response.content.decode()
    group.refresh_from_db()
    assert group.last_confirmed_on == timezone.localdate()
    assert group.consent_published_on == timezone.localdate()
    consent = Consent.objects.get(group=group, withdrawn_at__isnull=True)
    assert consent.channel == Consent.Channel.WEB_FORM
    check = Verification.objects.get()
    assert check.reviewed_at and check.token_hash is None
    assert not Verification.objects.to_review().exists()
    change = group.changes.get(action=GroupChange.Action.CONFIRMED)
    assert change.user is None


def test_a_link_works_once(client, linked):
    group, token = linked
    url = reverse("groups:self_service", kwargs={"token": token})
    client.post(url, form_of(group, name="Neuer Name"))
    again = client.post(url, form_of(group, name="Noch ein Name"))
    assert again.status_code == 410
    assert Verification.objects.get().proposed == {"name": "Neuer Name"}
    assert client.get(url).status_code == 410


def test_an_expired_or_made_up_link_is_refused(client, linked):
    group, token = linked
    Verification.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    expired = client.get(reverse("groups:self_service", kwargs={"token": token}))
    assert expired.status_code == 410
    assert "abgelaufen" in expired.content.decode()
    made_up = client.get(reverse("groups:self_service", kwargs={"token": "x" * 43}))
    assert made_up.status_code == 410
    response = client.post(reverse("groups:self_service", kwargs={"token": token}), form_of(group))
    assert response.status_code == 410
    group.refresh_from_db()
    assert group.confirmation_overdue


def test_bad_input_is_refused_and_changes_nothing(client, linked):
    group, token = linked
    url = reverse("groups:self_service", kwargs={"token": token})
    response = client.post(url, form_of(group, postcode="1234567", name=""))
    assert response.status_code == 422
    page = response.content.decode()
    assert "fünf Ziffern" in page
    check = Verification.objects.get()
    assert check.answered_at is None and check.proposed == {}
    assert client.get(url).status_code == 200  # the link still works


def test_changes_wait_for_review_and_the_group_is_unchanged(client, linked, staff):
    group, token = linked
    client.post(
        reverse("groups:self_service", kwargs={"token": token}),
        form_of(
            group,
            schedule="jeden 1. Montag, 18 Uhr",
            accepts_new_members=Group.NewMembers.WAITING_LIST,
        ),
    )
    group.refresh_from_db()
    assert group.schedule != "jeden 1. Montag, 18 Uhr"
    assert group.confirmation_overdue
    check = Verification.objects.to_review().get()
    assert check.proposed == {
        "schedule": "jeden 1. Montag, 18 Uhr",
        "accepts_new_members": "waiting_list",
    }
    assert verification.queue_counts(staff)["to_review"] == 1


# Review ------------------------------------------------------------------------------------


def answer(group, token, **changes):
    still_meets = changes.pop("still_meets", "yes")
    consent = changes.pop("consent", True)
    return verification.answer(token, still_meets, consent, form_of(group, **changes))


def test_review_takes_over_ticked_fields_only(client, linked, staff):
    group, token = linked
    check = answer(group, token, schedule="dienstags 19 Uhr", city="Neustadt")
    client.force_login(staff)
    url = reverse("groups:verification_review", kwargs={"pk": check.pk})
    page = client.get(url).content.decode()
    assert "dienstags 19 Uhr" in page and "Neustadt" in page and "Musterstadt" in page
    response = client.post(url, {"accepted": ["schedule"]})
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.schedule, group.city) == ("dienstags 19 Uhr", "Musterstadt")
    assert group.last_confirmed_on == timezone.localdate()
    check.refresh_from_db()
    assert check.proposed == {}  # the proposed values are not kept
    assert check.accepted_fields == ["schedule"]
    assert check.reviewed_by == staff
    change = group.changes.get(action=GroupChange.Action.CONFIRMED)
    assert str(Group._meta.get_field("schedule").verbose_name) in change.fields
    assert client.get(url).status_code == 404  # reviewed: gone from the queue


def test_a_group_that_no_longer_meets_is_closed_when_staff_accept(linked, staff):
    group, token = linked
    check = answer(group, token, still_meets="no")
    rows = verification.proposed_rows(check)
    assert [row[0] for row in rows] == ["status"]
    verification.review(staff, check, ["status"])
    group.refresh_from_db()
    assert group.status == Group.Status.CLOSED


def test_a_review_that_breaks_a_rule_is_refused_and_changes_nothing(linked, staff):
    group, token = linked
    Group.objects.filter(pk=group.pk).update(
        contact_route=Group.ContactRoute.GROUP_EMAIL, public_email="gruppe@example.net"
    )
    group.refresh_from_db()
    check = answer(group, token, public_email="")
    with pytest.raises(GroupError):
        verification.review(staff, check, ["public_email"])
    group.refresh_from_db()
    assert group.public_email == "gruppe@example.net" and group.confirmation_overdue
    check.refresh_from_db()
    assert check.reviewed_at is None


def test_no_consent_goes_to_review_without_renewing(linked, staff):
    group, token = linked
    check = answer(group, token, consent=False)
    assert check.reviewed_at is None
    verification.review(staff, check, [])
    group.refresh_from_db()
    assert group.consent_published_on == datetime.date(2024, 3, 1)
    assert group.last_confirmed_on == timezone.localdate()


def test_review_is_for_staff_of_the_groups_office_only(client, linked, other_staff, starter):
    group, token = linked
    check = answer(group, token, name="Anders")
    url = reverse("groups:verification_review", kwargs={"pk": check.pk})
    client.force_login(other_staff)
    assert client.get(url).status_code == 404
    assert client.post(url, {"accepted": ["name"]}).status_code == 404
    client.force_login(starter)
    assert client.get(url).status_code in (302, 403)
    group.refresh_from_db()
    assert group.name == "Trauercafé Lindenhof"


# Calls and the queue ------------------------------------------------------------------------


def test_a_call_is_recorded_and_confirms_the_group(client, staff, office):
    group = due_group(office, contact_email="", contact_phone="0351 123456")
    client.force_login(staff)
    queue = client.get(reverse("groups:verification_queue")).content.decode()
    assert group.name in queue and "0351 123456" in queue
    response = client.post(
        reverse("groups:group_call", kwargs={"pk": group.pk}),
        {"still_meets": "paused", "consent_renewed": "on"},
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.status == Group.Status.PAUSED
    assert group.last_confirmed_on == timezone.localdate()
    assert Consent.objects.get(group=group).channel == Consent.Channel.PHONE
    assert Verification.objects.get().channel == Verification.Channel.PHONE
    queue = client.get(reverse("groups:verification_queue")).content.decode()
    assert reverse("groups:group_call", kwargs={"pk": group.pk}) not in queue


def test_a_call_without_answer_is_refused(client, staff, office):
    group = due_group(office, contact_email="")
    client.force_login(staff)
    response = client.post(reverse("groups:group_call", kwargs={"pk": group.pk}), {})
    assert response.status_code == 200
    assert response.context["form"].has_error("still_meets")
    assert not Verification.objects.exists()


def test_another_offices_group_cannot_be_called(client, other_staff, office):
    group = due_group(office, contact_email="")
    client.force_login(other_staff)
    url = reverse("groups:group_call", kwargs={"pk": group.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"still_meets": "yes"}).status_code == 404
    queue = client.get(reverse("groups:verification_queue")).content.decode()
    assert group.name not in queue


def test_queue_and_dashboard_show_the_states(
    client, staff, office, django_assert_max_num_queries, send
):
    answered = due_group(office, contact_email="a@example.net")
    waiting = due_group(office, contact_email="w@example.net")
    silent = due_group(office, contact_email="s@example.net")
    to_call = due_group(office, contact_email="")
    send()
    tokens = {message.to[0]: token_of(message) for message in mail.outbox}
    answer(answered, tokens["a@example.net"], name="Neu")
    Verification.objects.filter(group=silent).update(
        reminders_sent=2, expires_at=timezone.now() - datetime.timedelta(days=1)
    )
    client.force_login(staff)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("groups:verification_queue")).content.decode()
    review = reverse("groups:verification_review", kwargs={"pk": answered.verifications.get().pk})
    assert review in page
    for group in (silent, waiting, to_call):
        assert group.name in page
    assert verification.queue_counts(staff) == {"to_review": 1, "unanswered": 1, "to_call": 1}
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert reverse("groups:verification_queue") + "#review-heading" in dashboard
    assert reverse("groups:verification_queue") + "#unanswered-heading" in dashboard


def test_the_queue_is_the_same_number_of_queries_for_more_groups(
    client, staff, office, django_assert_max_num_queries, send
):
    for index in range(8):
        due_group(office, contact_email=f"g{index}@example.net")
        due_group(office, contact_email="")
    send()
    client.force_login(staff)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("groups:verification_queue")).status_code == 200


def test_send_reminders_runs_the_check(office, django_capture_on_commit_callbacks):
    due_group(office)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=io.StringIO())
    assert Verification.objects.count() == 1 and len(mail.outbox) == 1
