"""Offices in the directory (issue 20): on an office's own pages the search covers its groups,
with a switch to the whole network, and every result names the office that mediates contact."""

import pytest
from django.urls import reverse

from groups.models import Group
from groups.search import reindex_groups
from tests.factories import GroupFactory


@pytest.fixture
def two_offices(office, other_office):
    mine = GroupFactory(office=office, name="Angst-Treff Musterstadt", description="Angst")
    theirs = GroupFactory(office=other_office, name="Angst-Treff Nachbarort", description="Angst")
    reindex_groups([mine.pk, theirs.pk])
    return mine, theirs


def names(response):
    return {group.name for group in response.context["groups"]}


def test_the_search_box_of_an_offices_page_searches_its_groups(client, office, two_offices):
    page = client.get(reverse("office_public", args=[office.slug])).content.decode()
    assert f'<input type="hidden" name="stelle" value="{office.slug}">' in page
    response = client.get(reverse("groups:directory"), {"q": "Angst", "stelle": office.slug})
    assert names(response) == {"Angst-Treff Musterstadt"}
    content = response.content.decode()
    assert f"Suche in: {office.name}" in content
    switch = reverse("groups:directory") + "?q=Angst&amp;stelle=alle"
    assert switch in content


def test_the_whole_network_on_request(client, office, other_office, two_offices):
    response = client.get(reverse("groups:directory"), {"q": "Angst", "stelle": "alle"})
    assert names(response) == {"Angst-Treff Musterstadt", "Angst-Treff Nachbarort"}
    assert "Suche in: allen Kontaktstellen im Netzwerk" in response.content.decode()


def test_without_a_choice_the_configured_office_or_the_network(
    client, settings, office, two_offices
):
    settings.PUBLIC_OFFICE_SLUG = None
    assert len(names(client.get(reverse("groups:directory"), {"q": "Angst"}))) == 2
    settings.PUBLIC_OFFICE_SLUG = office.slug
    assert names(client.get(reverse("groups:directory"), {"q": "Angst"})) == {
        "Angst-Treff Musterstadt"
    }


def test_an_unknown_office_searches_the_network(client, two_offices):
    response = client.get(reverse("groups:directory"), {"q": "Angst", "stelle": "gibt-es-nicht"})
    assert response.status_code == 200
    assert len(names(response)) == 2


def test_every_result_names_its_office(client, office, other_office, two_offices):
    content = client.get(
        reverse("groups:directory"), {"q": "Angst", "stelle": "alle"}
    ).content.decode()
    assert f"Kontakt über {office.name}" in content
    assert f"Kontakt über {other_office.name}" in content


def test_the_scope_stays_while_paging_and_filtering(client, office, two_offices):
    for number in range(25):
        GroupFactory(office=office, name=f"Angstgruppe {number:02}", description="Angst")
    reindex_groups(list(Group.objects.values_list("pk", flat=True)))
    response = client.get(reverse("groups:directory"), {"q": "Angst", "stelle": office.slug})
    assert "stelle=" + office.slug in response.context["query_string"]
    content = response.content.decode()
    assert f'<input type="hidden" name="stelle" value="{office.slug}">' in content


def test_the_directory_describes_the_search_for_search_engines(client, office, two_offices):
    content = client.get(
        reverse("groups:directory"), {"q": "Angst", "stelle": office.slug}
    ).content.decode()
    assert (
        f'<meta name="description" content="{office.name}: Selbsthilfegruppen zu „Angst“' in content
    )
