""" "Angaben falsch?" on a public group page (issue 19): a visitor's hint lands in the
inbox as a correction for that group, with the consent recorded; spam is kept out."""

from django.urls import reverse

from groups.models import Group, Inquiry
from kontaktstelle.consent.models import Consent
from tests.factories import GroupFactory


def hint(**overrides):
    return {
        "correction-message": "Die Gruppe trifft sich jetzt donnerstags um 19 Uhr.",
        "correction-name": "Kim",
        "correction-email": "kim@example.net",
        "correction-consent": "on",
        "correction-website": "",
    } | overrides


def test_a_hint_lands_in_the_inbox_for_its_group(client, office, staff):
    group = GroupFactory(office=office, listing=Group.Listing.PUBLIC_WITH_PLACE)
    response = client.post(group.get_public_url(), hint())
    assert response.status_code == 302
    assert response.url == reverse("groups:thanks")
    inquiry = Inquiry.objects.get()
    assert (inquiry.kind, inquiry.group, inquiry.office) == (
        Inquiry.Kind.CORRECTION,
        group,
        office,
    )
    assert "donnerstags" in inquiry.message
    assert Consent.objects.get().inquiry == inquiry
    client.force_login(staff)
    page = client.get(reverse("groups:inbox")).content.decode()
    assert "Korrekturhinweis zu einer Gruppe" in page
    assert group.name in page


def test_the_page_offers_the_hint_folded_away(client, office):
    group = GroupFactory(office=office, listing=Group.Listing.PUBLIC_WITHOUT_PLACE)
    page = client.get(group.get_public_url()).content.decode()
    assert "Angaben nicht mehr aktuell?" in page
    assert 'name="correction-message"' in page
    assert '<details class="mt-3" data-correction>' in page  # folded until used


def test_a_hint_without_message_or_consent_is_refused_and_keeps_its_input(client, office):
    group = GroupFactory(office=office, listing=Group.Listing.PUBLIC_WITH_PLACE)
    response = client.post(
        group.get_public_url(),
        hint(**{"correction-message": "", "correction-consent": ""}),
    )
    assert response.status_code == 200
    assert response.context["correction"].has_error("message")
    assert response.context["correction"].has_error("consent")
    assert "kim@example.net" in response.content.decode()
    assert '<details class="mt-3" open data-correction>' in response.content.decode()
    assert not Inquiry.objects.exists()


def test_a_bot_filling_the_hidden_field_is_refused(client, office):
    group = GroupFactory(office=office, listing=Group.Listing.PUBLIC_WITH_PLACE)
    client.post(group.get_public_url(), hint(**{"correction-website": "http://spam"}))
    assert not Inquiry.objects.exists()


def test_hints_count_against_the_visitor_forms_limit(client, office):
    group = GroupFactory(office=office, listing=Group.Listing.PUBLIC_WITH_PLACE)
    for _ in range(5):
        assert client.post(group.get_public_url(), hint()).status_code == 302
    response = client.post(group.get_public_url(), hint())
    assert response.status_code == 200
    assert Inquiry.objects.count() == 5


def test_no_hint_for_an_unlisted_group(client, office):
    group = GroupFactory(office=office, listing=Group.Listing.UNLISTED)
    assert client.post(group.get_public_url(), hint()).status_code == 404
    assert not Inquiry.objects.exists()
