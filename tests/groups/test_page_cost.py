"""What makes a first-time public page cheap (issue 23): result cards written from
Python, topics read as names, the empty visitor forms kept once rendered, the office's
neighbours known in its own query, and the town filter served by an index."""

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groups.directory import public_groups, with_topics
from groups.forms import ContactRequestForm, CorrectionForm, FoundingInterestForm
from groups.models import Group
from groups.templatetags import visitor_forms
from kontaktstelle.offices.selectors import offices_knowing_others, public_office
from tests.factories import GroupFactory, OfficeFactory, TopicFactory

CARD = Template("{% load result_cards %}{% group_card group %}")


def card(group, **context):
    return CARD.render(Context({"group": group, **context}))


@pytest.fixture
def shown(office):
    """A public group with two topics (named out of order) and what a card shows."""
    group = GroupFactory(
        office=office,
        name="Angst & Panik <Treff>",
        slug="angst-panik",
        description=" ".join(f"Wort{n}" for n in range(40)),
        city="Musterstadt",
        district="Nord",
        schedule="dienstags, 19 Uhr",
        status=Group.Status.FOUNDING,
        age_group=Group.AgeGroup.YOUNG,
        topics=[TopicFactory(name="Panik"), TopicFactory(name="Angst")],
    )
    return with_topics(public_groups().filter(pk=group.pk))[0]


def test_a_result_card_shows_what_the_directory_knows_of_a_group(shown, office):
    html = card(shown)
    assert (
        '<h3 class="h5 card-title mb-1"><a href="/gruppen/angst-panik/">'
        "Angst &amp; Panik &lt;Treff&gt;</a></h3>"
    ) in html
    assert '<p class="small text-body-secondary mb-2">Angst · Panik</p>' in html
    words = " ".join(f"Wort{n}" for n in range(30))
    assert f'<p class="mb-2">{words} …</p>' in html
    assert "Musterstadt (Nord) · vor Ort · dienstags, 19 Uhr" in html
    assert '<span class="badge text-bg-info">in Gründung</span>' in html
    assert '<span class="badge text-bg-light border">Junge Selbsthilfe</span>' in html
    assert f"data-office>Kontakt über {office.name}</p>" in html
    assert "Distance" not in html and "Entfernung" not in html


def test_a_result_card_in_an_embedded_directory_links_there_and_names_no_office(shown, office):
    html = card(shown, embed_office=office)
    url = reverse("groups:embed_group", args=[office.slug, shown.slug])
    assert f'<a href="{url}">' in html
    assert "data-office" not in html


def test_a_result_card_near_a_place_shows_the_distance_first(shown):
    shown.distance_label = "ca. 4 km"
    html = card(shown)
    assert (
        '<p class="small mb-0"><span class="fw-semibold">'
        '<span class="visually-hidden">Entfernung: </span>' in html
    )
    assert "</span>ca. 4 km</span> · Musterstadt (Nord)" in html


def test_a_plain_group_card_has_no_badges_nor_empty_places(office):
    group = GroupFactory(office=office, city="", district="Nord", schedule="")
    html = card(with_topics([group])[0])
    assert "badge" not in html
    assert "(Nord)" not in html  # a district without its town is not shown
    assert '<p class="small text-body-secondary mb-2"></p>' in html  # no topics


def test_topics_are_read_as_names_in_one_query(office, django_assert_num_queries):
    first = GroupFactory(office=office, topics=[TopicFactory(name="Thema Zeta")])
    second = GroupFactory(
        office=office, topics=[TopicFactory(name="Thema Beta"), TopicFactory(name="Thema Alpha")]
    )
    bare = GroupFactory(office=office)
    found = list(public_groups().filter(pk__in=[first.pk, second.pk, bare.pk]).order_by("pk"))
    with django_assert_num_queries(1):
        loaded = with_topics(found)
    assert [group.topic_names for group in loaded] == [
        ["Thema Zeta"],
        ["Thema Alpha", "Thema Beta"],
        [],
    ]
    assert loaded[1].topic_ids == set(second.topics.values_list("pk", flat=True))
    assert loaded[2].topic_ids == set()
    assert with_topics([]) == []


def test_the_directory_renders_cards_without_a_query_per_card(client, office):
    for n in range(25):
        GroupFactory(office=office, name=f"Gruppe {n:02}", topics=[TopicFactory()])
    client.get(reverse("groups:directory"))  # the vocabulary and versions cached
    with CaptureQueriesContext(connection) as few:
        first = client.get(reverse("groups:directory"), {"page": 2})
    assert first.status_code == 200
    for n in range(25, 60):
        GroupFactory(office=office, name=f"Gruppe {n:02}", topics=[TopicFactory()])
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("groups:directory"), {"page": 3})
    assert response.content.decode().count('<article class="card">') == 20
    assert len(many.captured_queries) == len(few.captured_queries)


def test_an_empty_visitor_form_is_rendered_once_per_language(db, monkeypatch):
    visitor_forms._rendered.clear()
    calls = []
    real = visitor_forms.render_to_string
    monkeypatch.setattr(
        visitor_forms, "render_to_string", lambda *args: calls.append(args) or real(*args)
    )
    first = visitor_forms.visitor_form_fields(ContactRequestForm())
    again = visitor_forms.visitor_form_fields(ContactRequestForm())
    assert first == again and 'name="email"' in first
    correction = visitor_forms.visitor_form_fields(CorrectionForm(prefix="correction"))
    assert 'name="correction-message"' in correction
    assert len(calls) == 2  # one contact form, one correction form
    from django.utils import translation

    with translation.override("en"):
        english = visitor_forms.visitor_form_fields(ContactRequestForm())
    assert len(calls) == 3 and english != first


def test_a_filled_in_or_changing_visitor_form_is_rendered_every_time(db):
    visitor_forms._rendered.clear()
    bound = ContactRequestForm({"email": "kein-at-zeichen"})
    assert not bound.is_valid()
    html = visitor_forms.visitor_form_fields(bound)
    assert 'value="kein-at-zeichen"' in html and "is-invalid" in html
    assert visitor_forms.visitor_form_fields(ContactRequestForm()) != html
    # A form whose fields depend on the data (the founding form's topics) is never kept.
    assert not getattr(FoundingInterestForm, "same_for_everyone", False)
    visitor_forms.visitor_form_fields(FoundingInterestForm())
    assert all(key[0] is not FoundingInterestForm for key in visitor_forms._rendered)


def test_a_group_page_shows_the_kept_forms_with_the_visitors_own_token(client, office):
    group = GroupFactory(office=office)
    for _ in range(2):
        response = client.get(group.get_public_url())
        content = response.content.decode()
        assert 'name="email"' in content and 'name="correction-message"' in content
        assert 'name="csrfmiddlewaretoken"' in content
    posted = client.post(group.get_public_url(), {"email": "falsch"})
    assert posted.status_code == 200
    assert 'value="falsch"' in posted.content.decode()


def test_an_office_knows_whether_it_has_neighbours(office, settings):
    settings.PUBLIC_OFFICE_SLUG = ""
    assert public_office().has_others is False
    other = OfficeFactory(network=office.network)
    assert public_office().has_others is True
    assert offices_knowing_others().get(pk=other.pk).has_others is True


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL index")
def test_the_town_filter_is_served_by_a_trigram_index(office):
    towns = ["Göttingen", *(f"Ort {n}" for n in range(20_000))]
    Group.objects.bulk_create(
        Group(office=office, name=town, slug=f"g-{n}", city=town) for n, town in enumerate(towns)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE groups_group")
        cursor.execute("SET LOCAL enable_seqscan = off")  # as on a table of 100,000
    queryset = Group.objects.public().filter(city__icontains="tting")
    assert "groups_group_public_town_trgm" in queryset.explain()
    assert [group.city for group in queryset] == ["Göttingen"]
