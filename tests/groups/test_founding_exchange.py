"""The founding-interest exchange (issue 22, part 1): what a founding interest carries,
the counts across offices (k-anonymity: another office's count only from 3 on), alerts
once per crossing, requests to another office without any person's data, the retention
rules, and the topics on "Gruppen in Gründung"."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from groups import exchange, services
from groups.forms import FoundingInterestForm
from groups.models import FoundingAlert, Inquiry, Topic
from kontaktstelle.consent.models import Consent
from kontaktstelle.demo.exchange import INTERESTS, seed_founding_interests
from kontaktstelle.notifications.models import Notification
from kontaktstelle.offices.models import Office
from kontaktstelle.privacy import anonymise_inquiries
from kontaktstelle.privacy.retention import apply_retention
from tests.factories import OfficeFactory, SiteFactory, member

EXCHANGE = reverse("groups:founding_exchange")
REQUEST = reverse("groups:network_request")
RECORD = reverse("groups:founding_interest_create")
PUBLIC = reverse("groups:founding_groups")
FORM = reverse("groups:founding_interest")
GOETTINGEN = "37073"  # area 370
NORTHEIM = "37154"  # area 371, about 20 km from Göttingen
MUENCHEN = "80331"  # area 803, far away


@pytest.fixture
def tinnitus(db):
    return Topic.objects.get(name="Tinnitus")


@pytest.fixture
def migraine(db):
    return Topic.objects.named("Migräne")


@pytest.fixture
def here(office):
    """The office's site in Göttingen: its exchange counts around it."""
    return SiteFactory(office=office, postcode=GOETTINGEN, city="Göttingen")


@pytest.fixture
def there(other_office):
    """The other office of the network, in Northeim: within 25 km of Göttingen."""
    return SiteFactory(office=other_office, postcode=NORTHEIM, city="Northeim")


def interest(office, topics, area="370", consent=True, n=1, **fields):
    """``n`` founding interests of ``office`` on ``topics``; the last one is returned."""
    for number in range(n):
        values = {
            "kind": Inquiry.Kind.FOUNDING_INTEREST,
            "name": f"Person {office.slug} {number}",
            "email": f"person{number}@{office.slug}.example",
            "phone": f"0551 {office.pk}{number:03}",
            "topic": ", ".join(topic.name for topic in topics),
            "consent_at": timezone.now(),
            "postcode_area": area,
            "match_consent_at": timezone.now() if consent else None,
        }
        inquiry = Inquiry.objects.create(office=office, **values | fields)
        inquiry.topics.set(topics)
    return inquiry


def counts(office, postcode=GOETTINGEN, radius=25):
    points = [exchange.geo.postcode_centre(postcode)]
    return {
        entry.name: entry
        for entry in exchange.topic_counts(office, exchange.areas_within(points, radius))
    }


# What a founding interest carries ------------------------------------------------------


def form(**data):
    values = {
        "topic": "Tinnitus und Migräne",
        "name": "Ute",
        "email": "ute@example.net",
        "postcode": "37073",
        "match_consent": "on",
        "consent": "on",
    }
    return FoundingInterestForm(values | data)


def test_the_public_form_stores_topics_area_and_consent_never_the_postcode(
    office, tinnitus, migraine
):
    sent = form()
    assert sent.is_valid(), sent.errors
    inquiry = services.receive_inquiry(sent, office, Inquiry.Kind.FOUNDING_INTEREST)
    inquiry.refresh_from_db()
    assert set(inquiry.topics.all()) == {tinnitus, migraine}
    assert inquiry.postcode_area == "370"
    assert inquiry.match_consent_at is not None
    assert "37073" not in str(Inquiry.objects.filter(pk=inquiry.pk).values().get())
    text = Consent.objects.get(inquiry=inquiry).text
    assert text == f"{sent.fields['consent'].label}\n\n{sent.fields['match_consent'].label}"


def test_without_consent_to_be_matched_the_interest_does_not_count(office, here, tinnitus):
    sent = form(match_consent="")
    assert sent.is_valid(), sent.errors
    inquiry = services.receive_inquiry(sent, office, Inquiry.Kind.FOUNDING_INTEREST)
    assert inquiry.match_consent_at is None
    assert Consent.objects.get(inquiry=inquiry).text == str(sent.fields["consent"].label)
    assert counts(office) == {}


@pytest.mark.parametrize(
    "data, field",
    [
        ({"postcode": ""}, "postcode"),  # consent to be matched needs the area
        ({"postcode": "3707"}, "postcode"),
        ({"postcode": "00000"}, "postcode"),
        ({"postcode": "abcde"}, "postcode"),
    ],
)
def test_bad_postcodes_are_refused_in_german_and_nothing_is_stored(client, office, data, field):
    response = client.post(FORM, form(**data).data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Inquiry.objects.exists()


def test_the_database_refuses_consent_to_be_matched_without_area(office):
    with pytest.raises(IntegrityError), transaction.atomic():
        interest(office, [], area="")


def test_the_founding_form_is_prefilled_with_the_topic_of_the_link(client, office):
    response = client.get(FORM, {"thema": "Tinnitus"})
    assert response.context["form"].initial["topic"] == "Tinnitus"


# Counts and k-anonymity across offices -------------------------------------------------


def test_own_people_count_from_one_other_offices_only_from_three(
    office, other_office, here, there, tinnitus, migraine
):
    interest(office, [tinnitus])
    interest(other_office, [tinnitus], area="371", n=2)  # 2 < k: never shown
    interest(other_office, [migraine], area="371", n=3)  # 3: shown
    seen = counts(office)
    assert seen["Tinnitus"].own == 1 and seen["Tinnitus"].others == []
    assert seen["Tinnitus"].total == 1  # the hidden two are not in the total either
    assert seen["Migräne"].own == 0
    assert seen["Migräne"].others == [(other_office.pk, other_office.name, 3)]
    # The other office sees its own two, and nothing of ours (one person).
    theirs = counts(other_office, NORTHEIM)
    assert theirs["Tinnitus"].own == 2 and theirs["Tinnitus"].others == []


def test_a_topic_with_only_hidden_counts_is_not_listed_at_all(office, other_office, tinnitus):
    interest(other_office, [tinnitus], n=2)
    assert counts(office) == {}


def test_counts_stay_within_the_network_and_the_radius(office, tinnitus):
    stranger = OfficeFactory(name="KISS Fremdnetz")  # another network
    interest(stranger, [tinnitus], n=5)
    interest(office, [tinnitus], area="803", n=4)  # München: far away
    assert counts(office) == {}
    assert counts(office, MUENCHEN, 10)["Tinnitus"].own == 4


def test_anonymised_and_expired_interests_no_longer_count(office, tinnitus):
    now = timezone.now()
    days = settings.RETENTION_DAYS
    counted = interest(office, [tinnitus])
    interest(office, [tinnitus], consent=False)
    interest(office, [tinnitus], anonymised_at=now)
    expired = interest(office, [tinnitus])
    Inquiry.objects.filter(pk=expired.pk).update(
        answered_at=now - datetime.timedelta(days=days["inquiry_answered"] + 1)
    )
    never_answered = interest(office, [tinnitus])
    Inquiry.objects.filter(pk=never_answered.pk).update(
        created_at=now - datetime.timedelta(days=days["inquiry_unanswered"] + 1)
    )
    answered_lately = interest(office, [tinnitus])
    Inquiry.objects.filter(pk=answered_lately.pk).update(answered_at=now)
    assert set(Inquiry.objects.matchable()) == {counted, answered_lately}
    apply_retention()  # anonymises the expired ones: the count is the same
    assert Inquiry.objects.matchable().count() == 2
    anonymise_inquiries(Inquiry.objects.filter(pk=counted.pk))  # consent withdrawn
    assert list(Inquiry.objects.matchable()) == [answered_lately]
    assert not counted.topics.exists()  # the topics went with the personal data


def test_the_counts_are_one_query_whatever_the_number_of_topics(
    office, other_office, tinnitus, django_assert_num_queries
):
    for topic in Topic.objects.order_by("pk")[:20]:
        interest(office, [topic], n=2)
        interest(other_office, [topic], n=3)
    areas = exchange.areas_within([exchange.geo.postcode_centre(GOETTINGEN)], 25)
    with django_assert_num_queries(1):  # the office's network is a subquery
        assert len(exchange.topic_counts(office, areas)) == 20


# The staff's view ----------------------------------------------------------------------


def test_the_exchange_page_shows_counts_never_names_or_contact_data_of_other_offices(
    client, staff, office, other_office, here, there, tinnitus
):
    interest(office, [tinnitus], n=1)
    other = interest(other_office, [tinnitus], area="371", n=3)
    client.force_login(staff)
    response = client.get(EXCHANGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-topic="{tinnitus.pk}"' in page
    assert other_office.name in page
    for value in (other.name, other.email, other.phone, "@anderswo.example"):
        assert value not in page


def test_the_page_counts_around_a_postcode_and_refuses_a_bad_one(client, staff, tinnitus):
    interest(staff.office, [tinnitus], area="803", n=2)
    client.force_login(staff)
    response = client.get(EXCHANGE, {"near": MUENCHEN, "radius": "10"})
    assert [entry.name for entry in response.context["counts"]] == ["Tinnitus"]
    response = client.get(EXCHANGE, {"near": "99999x", "radius": "10"})
    assert response.status_code == 200
    assert response.context["form"].errors["near"]


def test_an_office_without_sites_is_asked_for_a_postcode(client, staff):
    client.force_login(staff)
    response = client.get(EXCHANGE)
    assert response.status_code == 200
    assert not response.context["has_place"]


def test_the_exchange_page_query_count_does_not_grow(
    client, staff, office, other_office, here, django_assert_max_num_queries
):
    client.force_login(staff)
    for topic in Topic.objects.order_by("pk")[:30]:
        interest(office, [topic])
        interest(other_office, [topic], n=3)
    with django_assert_max_num_queries(14):
        response = client.get(EXCHANGE)
    assert len(response.context["counts"]) == 30


@pytest.mark.parametrize("persona", ["starter", "coordinator"])
def test_other_roles_may_not_see_the_exchange(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(EXCHANGE).status_code == 403
    assert client.post(REQUEST).status_code == 403
    assert client.get(RECORD).status_code == 403


def test_visitors_are_sent_to_the_login(client, db):
    assert client.get(EXCHANGE).status_code == 302
    assert client.post(REQUEST).status_code == 302


# Bringing people together: a request to the other office -------------------------------


def send(client, topic, to_office, near=GOETTINGEN, radius=25):
    return client.post(
        REQUEST, {"topic": topic.pk, "to_office": to_office.pk, "near": near, "radius": radius}
    )


def test_a_request_lands_in_the_other_office_inbox_without_any_person(
    client, staff, other_staff, office, other_office, tinnitus
):
    ours = interest(office, [tinnitus], n=2)
    theirs = interest(other_office, [tinnitus], n=3)
    client.force_login(staff)
    assert send(client, tinnitus, other_office).status_code == 302
    request = Inquiry.objects.get(kind=Inquiry.Kind.NETWORK_REQUEST)
    assert (request.office, request.from_office) == (other_office, office)
    assert list(request.topics.all()) == [tinnitus]
    assert (request.email, request.phone, request.match_consent_at) == ("", "", None)
    assert "Tinnitus" in request.message and "37073" in request.message
    # In the other office's inbox: the asking office, and no person of either side.
    client.force_login(other_staff)
    page = client.get(reverse("groups:inbox")).content.decode()
    assert f'data-inquiry="{request.pk}"' in page
    assert ours.name not in page and ours.email not in page and ours.phone not in page
    # The asking office does not see the request nor the other office's people.
    client.force_login(staff)
    page = client.get(reverse("groups:inbox")).content.decode()
    assert f'data-inquiry="{request.pk}"' not in page
    assert theirs.name not in page and theirs.email not in page


def test_no_request_to_an_office_whose_count_is_hidden(client, staff, other_office, tinnitus):
    interest(other_office, [tinnitus], n=2)  # below k: nothing to ask about
    client.force_login(staff)
    response = send(client, tinnitus, other_office)
    assert response.status_code == 302
    assert not Inquiry.objects.filter(kind=Inquiry.Kind.NETWORK_REQUEST).exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("zu wenige Interessierte" in m for m in messages)


def test_no_request_outside_the_network_or_to_oneself(client, staff, office, tinnitus):
    stranger = OfficeFactory(name="KISS Fremdnetz")
    interest(stranger, [tinnitus], n=5)
    interest(office, [tinnitus], n=5)
    client.force_login(staff)
    for target in (stranger, office):
        assert send(client, tinnitus, target).status_code == 302
    assert not Inquiry.objects.filter(kind=Inquiry.Kind.NETWORK_REQUEST).exists()


def test_the_same_request_is_not_sent_twice_while_open(client, staff, other_office, tinnitus):
    interest(other_office, [tinnitus], n=3)
    client.force_login(staff)
    send(client, tinnitus, other_office)
    send(client, tinnitus, other_office)
    assert Inquiry.objects.filter(kind=Inquiry.Kind.NETWORK_REQUEST).count() == 1


def test_a_network_request_cannot_carry_contact_data(office, other_office):
    with pytest.raises(IntegrityError), transaction.atomic():
        Inquiry.objects.create(
            office=other_office,
            kind=Inquiry.Kind.NETWORK_REQUEST,
            from_office=office,
            name=office.name,
            email="someone@example.net",
            consent_at=timezone.now(),
        )


def test_a_tampered_request_is_refused(client, staff, tinnitus):
    client.force_login(staff)
    response = client.post(REQUEST, {"topic": tinnitus.pk, "to_office": "x", "radius": "7"})
    assert response.status_code == 302
    assert not Inquiry.objects.filter(kind=Inquiry.Kind.NETWORK_REQUEST).exists()


# Alerts once per crossing --------------------------------------------------------------


def alerts(user):
    return Notification.objects.filter(user=user, kind=Notification.Kind.FOUNDING_EXCHANGE)


def test_staff_are_told_once_when_the_threshold_is_reached_and_again_after_a_new_crossing(
    staff, office_admin, other_staff, office, here, tinnitus
):
    interest(office, [tinnitus], n=2)
    assert exchange.check_all() == 0
    third = interest(office, [tinnitus])
    assert exchange.check_interest(third) == 2  # staff and office admin
    assert alerts(staff).count() == 1 and not alerts(other_staff).exists()
    assert "Tinnitus" in alerts(staff).get().subject
    interest(office, [tinnitus])  # four: still the same crossing
    assert exchange.check_all() == 0
    two = Inquiry.objects.filter(office=office).values_list("pk", flat=True)[:2]
    anonymise_inquiries(Inquiry.objects.filter(pk__in=list(two)))  # down to two
    assert exchange.check_all() == 0
    assert not FoundingAlert.objects.get(office=office, topic=tinnitus).reached
    interest(office, [tinnitus])  # three again: a new crossing
    assert exchange.check_all() == 2
    assert alerts(staff).count() == 2


def test_the_office_sets_its_threshold(staff, office, here, tinnitus):
    Office.objects.filter(pk=office.pk).update(founding_alert_threshold=5)
    office.refresh_from_db()
    interest(office, [tinnitus], n=4)
    assert exchange.check_all() == 0
    interest(office, [tinnitus])
    assert exchange.check_all() == 1


def test_the_threshold_is_at_least_two(office):
    with pytest.raises(IntegrityError), transaction.atomic():
        Office.objects.filter(pk=office.pk).update(founding_alert_threshold=1)


def test_another_office_counts_into_an_alert_only_from_three(
    staff, other_staff, office, other_office, here, there, tinnitus
):
    interest(office, [tinnitus])
    interest(other_office, [tinnitus], area="371", n=2)  # hidden from us: 1 + 0
    assert exchange.check_all() == 0  # the other office: its own 2, ours (1) hidden: 2
    interest(other_office, [tinnitus], area="371")  # now 3: shown to us, and counted
    assert exchange.check_all() == 2
    assert alerts(staff).count() == 1 and alerts(other_staff).count() == 1


def test_a_web_interest_checks_the_alert_after_commit(
    client, staff, office, here, tinnitus, django_capture_on_commit_callbacks
):
    interest(office, [tinnitus], n=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(FORM, form(topic="Tinnitus").data)
    assert response.status_code == 302
    assert alerts(staff).count() == 1


def test_send_reminders_checks_the_exchange(staff, office, here, tinnitus):
    interest(office, [tinnitus], n=3)
    call_command("send_reminders", stdout=io.StringIO())
    assert alerts(staff).count() == 1


def test_the_demo_has_interests_of_both_offices_once(network, tinnitus):
    for slug in ("musterstadt", "beispielkreis"):
        OfficeFactory(slug=slug, network=network)
    created = seed_founding_interests()
    assert created == len(INTERESTS)
    assert seed_founding_interests() == 0
    assert tinnitus in exchange.public_topics(Office.objects.get(slug="musterstadt"))


# Staff enter a founding interest -------------------------------------------------------


def test_staff_record_a_founding_interest_from_a_phone_call(client, staff, office, tinnitus):
    client.force_login(staff)
    response = client.post(
        RECORD,
        {
            "topic": "Tinnitus",
            "name": "Rolf",
            "phone": "0551 123",
            "postcode": "37081",
            "match_consent": "on",
            "consent": "on",
            "consent_channel": Consent.Channel.PHONE,
        },
    )
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert (inquiry.office, inquiry.assigned_to, inquiry.postcode_area) == (office, staff, "370")
    assert list(inquiry.topics.all()) == [tinnitus]
    consent = Consent.objects.filter(inquiry=inquiry).first()
    assert (consent.channel, consent.recorded_by) == (Consent.Channel.PHONE, staff)


def test_staff_must_name_a_thesaurus_topic_for_the_exchange(client, staff):
    client.force_login(staff)
    response = client.post(
        RECORD,
        {
            "topic": "Blaubeeren",
            "name": "Rolf",
            "phone": "0551 123",
            "postcode": "37081",
            "match_consent": "on",
            "consent": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["topic"]
    assert not Inquiry.objects.exists()


# "Gruppen in Gründung" ------------------------------------------------------------------


def test_the_public_page_lists_topics_from_three_people_without_numbers_below(
    client, office, other_office, tinnitus, migraine
):
    interest(office, [tinnitus], n=2)
    interest(other_office, [tinnitus])  # three across the network
    interest(office, [migraine], n=2)  # two: not listed
    response = client.get(PUBLIC)
    assert list(response.context["interest_topics"]) == [tinnitus]
    page = response.content.decode()
    assert f'data-interest-topic="{tinnitus.pk}"' in page
    assert f'data-interest-topic="{migraine.pk}"' not in page
    assert "?thema=Tinnitus" in page
    assert "Person" not in page


def test_the_public_page_stays_within_the_network(client, office, tinnitus):
    interest(OfficeFactory(name="Fremd"), [tinnitus], n=3)
    interest(office, [tinnitus], n=2)
    assert list(client.get(PUBLIC).context["interest_topics"]) == []


def test_a_new_consenting_interest_empties_the_public_cache(client, office, settings):
    from kontaktstelle.web import cache_versions, public_cache

    before = cache_versions.current(public_cache.VERSION_NAME)
    sent = form()
    assert sent.is_valid()
    services.receive_inquiry(sent, office, Inquiry.Kind.FOUNDING_INTEREST)
    assert cache_versions.current(public_cache.VERSION_NAME) != before


def test_a_staff_member_of_another_network_office_sees_only_own_inbox_interest(
    client, office, other_office, tinnitus
):
    """No contact data crosses: the other office's staff do not see our interests."""
    ours = interest(office, [tinnitus], n=3)
    colleague = member("staff", office=other_office, email="kollegin@example.org")
    client.force_login(colleague)
    for url in (reverse("groups:inbox"), EXCHANGE, f"{EXCHANGE}?near={GOETTINGEN}&radius=100"):
        page = client.get(url).content.decode()
        assert ours.name not in page and ours.email not in page and ours.phone not in page


@pytest.mark.parametrize("far_offices", [1, 8])
def test_checking_an_interest_does_not_ask_per_office_of_the_network(
    office, here, tinnitus, network, far_offices, django_assert_max_num_queries
):
    """The offices' sites come in one query; only offices near the interest are checked."""
    for number in range(far_offices):
        far = OfficeFactory(slug=f"fern-{number}", network=network)
        SiteFactory(office=far, postcode="80331", city="München")
    office.network = network
    office.save()
    stored = interest(office, [tinnitus])
    with django_assert_max_num_queries(9):
        exchange.check_interest(stored)
