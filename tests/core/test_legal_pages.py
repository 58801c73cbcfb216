"""Privacy notice, imprint and accessibility statement: public pages, editing, auditing."""

import pytest
from django.urls import reverse

from kontaktstelle.audit.models import AuditEntry
from kontaktstelle.offices import legal
from kontaktstelle.offices.models import LegalText
from tests.factories import SiteFactory

Kind = LegalText.Kind
PAGES = [("/datenschutz/", Kind.PRIVACY), ("/impressum/", Kind.IMPRINT)]
PAGES += [("/barrierefreiheit/", Kind.ACCESSIBILITY)]


def save(office, kind, body):
    return LegalText.objects.create(office=office, kind=kind, body=body)


def edit_url(kind):
    return reverse("legal_text_edit", args=[kind])


# Public pages ------------------------------------------------------------------------


def test_the_addresses_are_german():
    assert reverse("legal_page", args=[Kind.PRIVACY]) == "/datenschutz/"
    assert reverse("legal_page", args=[Kind.IMPRINT]) == "/impressum/"
    assert reverse("legal_page", args=[Kind.ACCESSIBILITY]) == "/barrierefreiheit/"
    assert (
        reverse("office_legal_page", args=["musterstadt", Kind.IMPRINT])
        == "/kontaktstellen/musterstadt/impressum/"
    )


@pytest.mark.parametrize(("url", "kind"), PAGES)
def test_without_a_saved_text_the_page_shows_the_template_for_the_office(
    client, office, site, url, kind
):
    response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "KISS Musterstadt" in content
    assert response.context["legal_text"] is None
    assert response.context["body"] == legal.default_text(kind, office)
    # The template says that it is one, and marks what to fill in.
    assert response.context["body"].startswith("[")
    assert "Lindenstraße 1" in content or kind == Kind.ACCESSIBILITY


@pytest.mark.parametrize(("url", "kind"), PAGES)
def test_the_page_shows_the_offices_own_text_to_anyone(client, office, other_office, url, kind):
    save(office, kind, "Unser eigener Text.\n\nZweiter Absatz.")
    save(other_office, kind, "Text von anderswo.")
    response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "<p>Unser eigener Text.</p>" in content
    assert "<p>Zweiter Absatz.</p>" in content
    assert "Text von anderswo." not in content


def test_the_public_office_is_the_configured_one(client, office, other_office, settings):
    save(office, Kind.IMPRINT, "Impressum Musterstadt")
    save(other_office, Kind.IMPRINT, "Impressum Anderswo")
    settings.PUBLIC_OFFICE_SLUG = "anderswo"
    content = client.get("/impressum/").content.decode()
    assert "Impressum Anderswo" in content
    assert "Impressum Musterstadt" not in content


def test_each_office_has_its_own_address(client, office, other_office):
    save(office, Kind.IMPRINT, "Impressum Musterstadt")
    save(other_office, Kind.IMPRINT, "Impressum Anderswo")
    content = client.get("/kontaktstellen/anderswo/impressum/").content.decode()
    assert "Impressum Anderswo" in content
    assert "Impressum Musterstadt" not in content


def test_an_unknown_office_or_page_is_404(client, office):
    assert client.get("/kontaktstellen/gibt-es-nicht/impressum/").status_code == 404
    assert client.get("/kontaktstellen/musterstadt/agb/").status_code == 404


def test_without_any_office_the_page_is_404(client, db):
    assert client.get("/impressum/").status_code == 404


def test_markup_in_the_text_is_shown_as_text(client, office):
    save(
        office,
        Kind.IMPRINT,
        '<script>alert("x")</script>\n<b onclick="steal()">fett</b>\n\nhttps://kiss.example.org',
    )
    content = client.get("/impressum/").content.decode()
    assert '<script>alert("x")' not in content
    assert "<b onclick" not in content
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>" in content
    assert "&lt;b onclick=&quot;steal()&quot;&gt;fett&lt;/b&gt;" in content
    assert (
        '<a href="https://kiss.example.org" rel="nofollow">https://kiss.example.org</a>' in content
    )


def test_the_accessibility_statement_has_feedback_and_conciliation(client, office, site):
    office.email = "info@kiss-musterstadt.example"
    office.save()
    content = client.get("/barrierefreiheit/").content.decode()
    assert 'href="mailto:info@kiss-musterstadt.example?subject=' in content
    assert "Schlichtung" in content or "conciliation" in content
    assert "https://www.schlichtungsstelle-bgg.de/" in content
    assert "§ 16 BGG" in content


def test_feedback_goes_to_a_site_when_the_office_has_no_address(client, office):
    SiteFactory(office=office, name="A-Standort", email="standort@kiss.example")
    content = client.get("/barrierefreiheit/").content.decode()
    assert 'href="mailto:standort@kiss.example?subject=' in content


def test_other_pages_have_no_feedback_section(client, office):
    content = client.get("/impressum/").content.decode()
    assert "schlichtungsstelle-bgg" not in content


def test_the_footer_links_the_legal_pages(client, office, site):
    content = client.get(reverse("login")).content.decode()
    for url in ["/impressum/", "/datenschutz/", "/barrierefreiheit/"]:
        assert f'href="{url}"' in content
    # A page about one office links that office's pages.
    content = client.get("/kontaktstellen/musterstadt/").content.decode()
    assert 'href="/kontaktstellen/musterstadt/impressum/"' in content


def test_the_footer_of_staff_pages_links_their_offices_pages(client, other_staff):
    client.force_login(other_staff)
    content = client.get(reverse("dashboard")).content.decode()
    assert 'href="/kontaktstellen/anderswo/datenschutz/"' in content


# Editing ---------------------------------------------------------------------------


def test_the_office_admin_starts_from_the_template(client, office_admin, office, site):
    client.force_login(office_admin)
    response = client.get(edit_url(Kind.IMPRINT))
    assert response.status_code == 200
    assert response.context["form"]["body"].value() == legal.default_text(Kind.IMPRINT, office)
    assert "alert-warning" in response.content.decode()


def test_the_office_admin_saves_a_text_and_it_is_audited(client, office_admin, office):
    client.force_login(office_admin)
    response = client.post(edit_url(Kind.IMPRINT), {"body": "Neues Impressum"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("legal_texts")
    assert len(list(response.context["messages"])) == 1
    text = LegalText.objects.get(office=office, kind=Kind.IMPRINT)
    assert (text.body, text.updated_by) == ("Neues Impressum", office_admin)
    entry = AuditEntry.objects.get()
    assert entry.action == AuditEntry.Action.LEGAL_TEXT_CHANGED
    assert (entry.actor, entry.office) == (office_admin, office)
    assert entry.target_type.model_class() is LegalText
    assert "Neues Impressum" not in str(entry.fields)
    assert "Neues Impressum" in client.get("/impressum/").content.decode()


def test_saving_the_same_text_again_writes_no_second_entry(client, office_admin, office):
    client.force_login(office_admin)
    client.post(edit_url(Kind.PRIVACY), {"body": "Text"})
    client.post(edit_url(Kind.PRIVACY), {"body": "Text"})
    assert AuditEntry.objects.count() == 1
    client.post(edit_url(Kind.PRIVACY), {"body": "Text, geändert"})
    assert AuditEntry.objects.count() == 2
    assert LegalText.objects.get(office=office, kind=Kind.PRIVACY).body == "Text, geändert"


def test_an_empty_text_is_refused(client, office_admin, office):
    client.force_login(office_admin)
    response = client.post(edit_url(Kind.PRIVACY), {"body": "  "})
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not LegalText.objects.exists()
    assert not AuditEntry.objects.exists()


def test_another_offices_admin_edits_only_their_own_office(
    client, office, other_office, other_office_admin
):
    save(office, Kind.IMPRINT, "Impressum Musterstadt")
    client.force_login(other_office_admin)
    response = client.get(edit_url(Kind.IMPRINT))
    assert "Impressum Musterstadt" not in response.content.decode()
    client.post(edit_url(Kind.IMPRINT), {"body": "Impressum Anderswo"})
    assert LegalText.objects.get(office=office, kind=Kind.IMPRINT).body == "Impressum Musterstadt"
    assert LegalText.objects.get(office=other_office).body == "Impressum Anderswo"
    assert AuditEntry.objects.get().office == other_office


def test_an_unknown_kind_is_404(client, office_admin):
    client.force_login(office_admin)
    assert client.get("/intern/rechtstexte/agb/").status_code == 404


@pytest.mark.parametrize("persona", ["staff", "starter", "coordinator"])
def test_other_roles_cannot_edit(client, request, office, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("legal_texts")).status_code == 403
    assert client.get(edit_url(Kind.IMPRINT)).status_code == 403
    assert client.post(edit_url(Kind.IMPRINT), {"body": "x"}).status_code == 403
    assert not LegalText.objects.exists()


def test_anonymous_visitors_go_to_login(client, office):
    for url in [reverse("legal_texts"), edit_url(Kind.IMPRINT)]:
        response = client.post(url, {"body": "x"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert not LegalText.objects.exists()


def test_the_list_shows_which_texts_are_still_templates(client, office_admin, office):
    save(office, Kind.IMPRINT, "Impressum")
    client.force_login(office_admin)
    response = client.get(reverse("legal_texts"))
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count("badge text-bg-warning") == 2
    for kind in Kind:
        assert f'href="{edit_url(kind)}"' in content
        assert f'href="{reverse("office_legal_page", args=[office.slug, kind])}"' in content


def test_the_user_menu_links_the_texts_for_office_admins_only(client, office_admin, staff):
    client.force_login(office_admin)
    assert reverse("legal_texts") in client.get(reverse("dashboard")).content.decode()
    client.force_login(staff)
    assert reverse("legal_texts") not in client.get(reverse("dashboard")).content.decode()


def test_the_office_admin_is_warned_while_a_legal_page_has_placeholders(
    client, office_admin, staff, office
):
    from kontaktstelle.offices import legal
    from kontaktstelle.offices.models import LegalText

    client.force_login(office_admin)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Rechtstexte zeigen der Öffentlichkeit noch Platzhalter" in page
    assert reverse("legal_text_edit", args=[LegalText.Kind.IMPRINT]) in page
    for kind in LegalText.Kind:
        legal.save_legal_text(office_admin, kind, f"Der fertige Text ({kind.label}).")
    assert legal.kinds_with_placeholders(office) == []
    assert "data-legal-placeholders" not in client.get(reverse("dashboard")).content.decode()
    legal.save_legal_text(office_admin, LegalText.Kind.PRIVACY, "Verantwortlich: [Name]")
    assert legal.kinds_with_placeholders(office) == [LegalText.Kind.PRIVACY]
    client.force_login(staff)
    assert "data-legal-placeholders" not in client.get(reverse("dashboard")).content.decode()
