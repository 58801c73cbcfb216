"""The inbox as a work queue (issue 19): states, who is in charge, filters, what came of a
request, the menu's count, and what a counted request carries into the consultation."""

import pytest
from django.urls import reverse
from django.utils import timezone

from groups import services
from groups.models import Consultation, Group, Inquiry, Topic
from starters import services as starter_services
from tests.factories import GroupFactory

INBOX = reverse("groups:inbox")


def make_inquiry(office, **fields):
    values = {
        "kind": Inquiry.Kind.CONTACT_REQUEST,
        "name": "Sabine Suchend",
        "email": "sabine@example.net",
        "consent_at": timezone.now(),
    }
    return Inquiry.objects.create(office=office, **values | fields)


def action(client, inquiry, name, next_url=INBOX):
    return client.post(reverse("groups:inbox_action", args=[inquiry.pk, name]), {"next": next_url})


def shown(response):
    return [inquiry.pk for inquiry in response.context["inquiries"]]


def test_a_request_is_taken_on_done_and_opened_again(client, staff, office_admin, office):
    inquiry = make_inquiry(office)
    client.force_login(staff)
    assert action(client, inquiry, "uebernehmen").status_code == 302
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.assigned_to) == (Inquiry.Status.IN_PROGRESS, staff)
    assert inquiry.answered_at is None
    action(client, inquiry, "erledigt")
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.DONE
    assert inquiry.answered_at is not None  # its retention period starts
    client.force_login(office_admin)
    action(client, inquiry, "wieder-oeffnen")
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.assigned_to) == (Inquiry.Status.IN_PROGRESS, office_admin)


def test_a_done_request_cannot_be_done_again(staff, office):
    inquiry = services.close_inquiry(staff, make_inquiry(office))
    with pytest.raises(services.GroupError):
        services.close_inquiry(staff, inquiry)
    with pytest.raises(services.GroupError):
        services.take_inquiry(staff, inquiry)


def test_the_default_view_shows_open_requests_and_filters_the_rest(client, staff, office):
    new = make_inquiry(office, name="Neu")
    taken = services.take_inquiry(staff, make_inquiry(office, name="Genommen"))
    done = services.close_inquiry(staff, make_inquiry(office, name="Fertig"))
    client.force_login(staff)
    assert set(shown(client.get(INBOX))) == {new.pk, taken.pk}
    assert shown(client.get(INBOX, {"status": "new"})) == [new.pk]
    assert shown(client.get(INBOX, {"status": "in_progress"})) == [taken.pk]
    assert shown(client.get(INBOX, {"status": "done"})) == [done.pk]
    assert set(shown(client.get(INBOX, {"status": "bogus"}))) == {new.pk, taken.pk}
    assert shown(client.get(INBOX, {"mine": "1"})) == [taken.pk]


def test_another_offices_request_answers_404(client, staff, other_office):
    inquiry = make_inquiry(other_office)
    client.force_login(staff)
    assert action(client, inquiry, "erledigt").status_code == 404
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.NEW
    assert inquiry.pk not in shown(client.get(INBOX, {"status": "all"}))


def test_an_unknown_action_or_a_foreign_next_changes_nothing(client, staff, office):
    inquiry = make_inquiry(office)
    client.force_login(staff)
    assert action(client, inquiry, "loeschen").status_code == 404
    response = action(client, inquiry, "uebernehmen", next_url="https://example.org/")
    assert response.url == INBOX


def test_counting_a_request_carries_what_is_known_and_closes_it(client, staff, office, site):
    group = GroupFactory(office=office, name="Angst und Panik")
    inquiry = make_inquiry(office, group=group, topic="Tinnitus", asker=Inquiry.Asker.RELATIVE)
    client.force_login(staff)
    form = client.get(reverse("groups:consultations"), {"inquiry": inquiry.pk}).context["form"]
    assert form.initial["topic_names"] == "Tinnitus"  # the thesaurus' topic, by name
    assert form.initial["asker"] == Consultation.Asker.RELATIVE
    assert form.initial["channel"] == Consultation.Channel.WEB_FORM
    assert form.initial["referred_groups"] == [group]
    consultation_form = form.__class__(
        {
            "held_on": timezone.localdate().isoformat(),
            "site": site.pk,
            "channel": Consultation.Channel.WEB_FORM,
            "asker": Consultation.Asker.RELATIVE,
            "topic_names": "Tinnitus",
            "referred_groups": [group.pk],
        },
        office=office,
    )
    assert consultation_form.is_valid(), consultation_form.errors
    services.count_consultation(staff, consultation_form, inquiry)
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.DONE
    assert list(inquiry.consultation.topics.all()) == [Topic.objects.get(name="Tinnitus")]
    page = client.get(INBOX, {"status": "done"}).content.decode()
    assert "als Beratung gezählt am" in page


def test_a_founding_interest_links_to_its_group_and_request(client, staff, office):
    inquiry = make_inquiry(office, kind=Inquiry.Kind.FOUNDING_INTEREST, topic="Tinnitus")
    group = starter_services.create_founding_group(staff, inquiry)
    inquiry.refresh_from_db()
    assert (inquiry.group, inquiry.status, inquiry.assigned_to) == (
        group,
        Inquiry.Status.DONE,
        staff,
    )
    client.force_login(staff)
    page = client.get(INBOX, {"status": "done"}).content.decode()
    assert group.get_absolute_url() in page
    assert Group.objects.get(pk=group.pk).status == Group.Status.FOUNDING


def test_the_menu_counts_new_requests_for_staff_only(client, staff, starter, office):
    make_inquiry(office)
    make_inquiry(office)
    services.take_inquiry(staff, make_inquiry(office))
    client.force_login(staff)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'data-new-inquiries>2<span class="visually-hidden"> neu</span>' in page
    client.force_login(starter)
    assert "data-new-inquiries" not in client.get(reverse("starters:home")).content.decode()


def test_the_visitor_says_for_whom_they_ask(client, office, site):
    group = GroupFactory(office=office, listing=Group.Listing.PUBLIC_WITH_PLACE)
    response = client.post(
        group.get_public_url(),
        {
            "name": "Kim",
            "email": "kim@example.net",
            "asker": "relative",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    assert Inquiry.objects.get().asker == Inquiry.Asker.RELATIVE


def test_the_inbox_query_count_does_not_grow(client, staff, office, django_assert_max_num_queries):
    client.force_login(staff)
    for number in range(12):
        make_inquiry(office, name=f"Person {number}", group=GroupFactory(office=office))
    with django_assert_max_num_queries(12):
        assert client.get(INBOX).status_code == 200
