"""The consultation log: anonymous counting of consultations, and web requests counted."""

import datetime
import re

import pytest
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone

from groups import services
from groups.forms import ConsultationForm
from groups.models import Consultation, Group, Inquiry, Synonym
from groups.views.consultations import RECENT, SEARCH_LIMIT, SESSION_DEFAULTS
from kontaktstelle.audit.models import AuditEntry
from tests.factories import GroupFactory, SiteFactory, TopicFactory

Channel = Consultation.Channel
Asker = Consultation.Asker
URL = reverse("groups:consultations")
INBOX = reverse("groups:inbox")


def delete_url(consultation):
    return reverse("groups:consultation_delete", args=[consultation.pk])


@pytest.fixture
def topic(db):
    return TopicFactory(name="Testthema Depression")


@pytest.fixture
def synonym(topic):
    return Synonym.objects.create(topic=topic, term="Testwort Schwermut")


@pytest.fixture
def group(office, topic):
    return GroupFactory(office=office, name="Lichtblick", topics=[topic])


@pytest.fixture
def other_group(other_office):
    return GroupFactory(office=other_office, name="Fremde Gruppe")


def form_data(site=None, groups=(), **overrides):
    data = {
        "held_on": timezone.localdate().isoformat(),
        "site": site.pk if site else "",
        "channel": Channel.PHONE,
        "asker": Asker.AFFECTED,
        "topic_names": "",
        "referred_groups": [group.pk for group in groups],
        "counselling": "",
    }
    data.update(overrides)
    return data


def bound_form(office, **kwargs):
    return ConsultationForm(form_data(**kwargs), office=office)


def make_consultation(office, topics=(), groups=(), **fields):
    fields.setdefault("channel", Channel.PHONE)
    fields.setdefault("asker", Asker.AFFECTED)
    if not groups and not fields.get("counselling") and not fields.get("founding_interest"):
        fields.setdefault("information_only", True)
    consultation = Consultation.objects.create(office=office, **fields)
    consultation.topics.set(topics)
    consultation.referred_groups.set(groups)
    return consultation


def make_inquiry(office, group=None, kind=Inquiry.Kind.CONTACT_REQUEST, **fields):
    fields.setdefault("name", "Sabine Suchend")
    fields.setdefault("email", "sabine@example.net")
    return Inquiry.objects.create(
        office=office, kind=kind, group=group, consent_at=timezone.now(), **fields
    )


# --- Model ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "outcome",
    [{"counselling": "addiction"}, {"founding_interest": True}],
    ids=["counselling", "founding_interest"],
)
def test_information_only_cannot_go_with_a_referral_in_the_database(office, outcome):
    with pytest.raises(IntegrityError), transaction.atomic():
        Consultation.objects.create(
            office=office,
            channel=Channel.PHONE,
            asker=Asker.AFFECTED,
            information_only=True,
            **outcome,
        )
    assert not Consultation.objects.exists()


def test_information_only_alone_and_combined_referrals_are_stored(office):
    make_consultation(office, information_only=True)
    make_consultation(office, counselling="addiction", founding_interest=True)
    assert Consultation.objects.count() == 2


def test_consultation_holds_no_personal_data():
    names = {field.name for field in Consultation._meta.get_fields()}
    assert names.isdisjoint({"name", "email", "phone", "message", "address", "notes"})
    # Nothing of what was said: no free text, every text column is a fixed choice.
    for field in Consultation._meta.concrete_fields:
        assert not isinstance(field, models.TextField), field.name
        if isinstance(field, models.CharField):
            assert field.choices, field.name


def test_form_asks_for_nothing_personal(office):
    fields = set(ConsultationForm(office=office).fields)
    assert fields.isdisjoint({"name", "email", "phone", "message"})


# --- Form ----------------------------------------------------------------------------


def test_form_valid_with_group_referral(office, site, group):
    form = bound_form(office, site=site, groups=[group])
    assert form.is_valid(), form.errors
    consultation = form.save()
    assert consultation.office == office
    assert consultation.site == site
    assert list(consultation.referred_groups.all()) == [group]


@pytest.mark.parametrize(
    "outcome",
    [{"counselling": "psychotherapy"}, {"founding_interest": "on"}, {"information_only": "on"}],
    ids=["counselling", "founding_interest", "information_only"],
)
def test_form_accepts_each_kind_of_outcome_alone(office, outcome):
    assert bound_form(office, **outcome).is_valid()


def test_topic_names_resolve_names_and_synonyms_case_insensitively(office, topic, synonym):
    other = TopicFactory(name="Testthema Angst")
    names = "testthema depression ; testWORT schwERMUT;Testthema Angst"
    form = bound_form(office, information_only="on", topic_names=names)
    assert form.is_valid(), form.errors
    # The synonym names the same topic as the first name: it is counted once.
    assert form.cleaned_data["topic_names"] == [topic, other]
    consultation = form.save()
    assert set(consultation.topics.all()) == {topic, other}


def test_topic_names_collapse_duplicates_and_ignore_empty_parts(office, topic):
    names = "Testthema Depression;; TESTTHEMA DEPRESSION; ;"
    form = bound_form(office, information_only="on", topic_names=names)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["topic_names"] == [topic]


def test_topic_name_wins_over_another_topics_synonym(office, topic):
    addiction = TopicFactory(name="Testthema Sucht")
    Synonym.objects.create(topic=topic, term="Testthema Sucht")
    form = bound_form(office, information_only="on", topic_names="testthema sucht")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["topic_names"] == [addiction]


def test_empty_topic_names_are_allowed(office):
    form = bound_form(office, information_only="on", topic_names="  ")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["topic_names"] == []


def test_unknown_topic_is_an_error(office, topic):
    names = "Testthema Depression; Gibtesnicht"
    form = bound_form(office, information_only="on", topic_names=names)
    assert not form.is_valid()
    assert form.has_error("topic_names", "unknown_topic")


def test_date_in_the_future_is_an_error(office):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    form = bound_form(office, information_only="on", held_on=tomorrow.isoformat())
    assert form.has_error("held_on", "future")


def test_date_today_and_in_the_past_are_fine(office):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert bound_form(office, information_only="on").is_valid()
    assert bound_form(office, information_only="on", held_on=yesterday.isoformat()).is_valid()


def test_no_outcome_is_a_non_field_error(office, site):
    form = bound_form(office, site=site)
    assert form.has_error(NON_FIELD_ERRORS, "no_outcome")


@pytest.mark.parametrize("referral", ["group", "counselling", "founding_interest"])
def test_information_only_with_a_referral_is_an_error(office, group, referral):
    outcome = {
        "group": {"groups": [group]},
        "counselling": {"counselling": "addiction"},
        "founding_interest": {"founding_interest": "on"},
    }[referral]
    form = bound_form(office, information_only="on", **outcome)
    assert form.has_error(NON_FIELD_ERRORS, "information_only")
    assert not form.has_error(NON_FIELD_ERRORS, "no_outcome")


def test_site_of_another_office_is_refused(office, other_site):
    form = bound_form(office, site=other_site, information_only="on")
    assert form.has_error("site", "invalid_choice")


def test_group_of_another_office_is_refused(office, other_group):
    form = bound_form(office, groups=[other_group])
    assert form.has_error("referred_groups", "invalid_choice")


def test_closed_group_cannot_be_referred_to(office):
    closed = GroupFactory(office=office, status=Group.Status.CLOSED)
    form = bound_form(office, groups=[closed])
    assert form.has_error("referred_groups", "invalid_choice")


def test_form_offers_only_the_offices_sites_and_open_groups(
    office, site, other_site, group, other_group
):
    closed = GroupFactory(office=office, status=Group.Status.CLOSED)
    form = ConsultationForm(office=office)
    assert list(form.fields["site"].queryset) == [site]
    groups = list(form.fields["referred_groups"].queryset)
    assert group in groups
    assert other_group not in groups
    assert closed not in groups


def test_channel_and_asker_must_be_chosen(office):
    form = bound_form(office, information_only="on", channel="", asker="")
    assert form.has_error("channel", "required")
    assert form.has_error("asker", "required")


# --- Page: access ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["staff", "office_admin"])
def test_office_staff_see_the_page(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(URL)
    assert response.status_code == 200
    assert "form" in response.context


@pytest.mark.parametrize("persona", ["starter", "coordinator", "other_office_starter"])
def test_other_roles_are_refused(client, request, persona, office, site):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    response = client.post(URL, form_data(site=site, information_only="on"))
    assert response.status_code == 403
    assert not Consultation.objects.exists()


def test_anonymous_visitors_go_to_login(client, db):
    for url in [URL, reverse("groups:consultation_delete", args=[1])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# --- Page: recording ------------------------------------------------------------------


def test_get_prefills_today_and_nothing_else(client, staff, office, site):
    SiteFactory(office=office, name="Standort Nord")
    client.force_login(staff)
    form = client.get(URL).context["form"]
    assert form["held_on"].value() == timezone.localdate()
    assert not form["channel"].value()
    assert not form["site"].value()  # two sites: the staff member chooses


def test_an_office_with_one_site_has_it_chosen(client, staff, office, site, other_site):
    client.force_login(staff)
    response = client.get(URL)
    assert response.context["form"]["site"].value() == site.pk
    # The page opens with the focus on the first channel, none being chosen yet.
    html = response.content.decode()
    assert html.count("autofocus") == 1
    assert re.search(r'<input[^>]*name="channel"[^>]*value="phone"[^>]*autofocus', html)


def test_valid_post_counts_one_consultation_in_the_staff_members_office(
    client, staff, office, site, topic, synonym, group, other_office
):
    client.force_login(staff)
    response = client.post(
        URL,
        form_data(
            site=site,
            groups=[group],
            channel=Channel.IN_PERSON,
            asker=Asker.RELATIVE,
            young="on",
            topic_names="Testwort Schwermut",
            counselling="psychosocial",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == URL

    consultation = Consultation.objects.get()
    assert consultation.office == office
    assert consultation.created_by == staff
    assert consultation.site == site
    assert consultation.held_on == timezone.localdate()
    assert consultation.channel == Channel.IN_PERSON
    assert consultation.asker == Asker.RELATIVE
    assert consultation.young is True
    assert consultation.counselling == "psychosocial"
    assert consultation.founding_interest is False
    assert consultation.information_only is False
    assert consultation.inquiry is None
    assert list(consultation.topics.all()) == [topic]
    assert list(consultation.referred_groups.all()) == [group]
    assert not Consultation.objects.for_office(other_office).exists()


def test_next_form_preselects_the_last_site_and_channel(client, staff, office, site):
    second = SiteFactory(office=office, name="Standort Nord")
    client.force_login(staff)
    client.post(URL, form_data(site=second, channel=Channel.OUTREACH, information_only="on"))

    assert client.session[SESSION_DEFAULTS] == {"site": second.pk, "channel": Channel.OUTREACH}
    response = client.get(URL)
    form = response.context["form"]
    assert form["site"].value() == second.pk
    assert form["channel"].value() == Channel.OUTREACH
    assert form["held_on"].value() == timezone.localdate()
    # Only site and channel carry over; who asks and the outcome start empty.
    assert not form["asker"].value()
    assert not form["information_only"].value()
    content = response.content.decode()
    assert f'<option value="{second.pk}" selected>' in content
    assert f'value="{Channel.OUTREACH}"' in content
    checked = [widget.data["value"] for widget in form["channel"] if widget.data["selected"]]
    assert checked == [Channel.OUTREACH]


@pytest.mark.parametrize(
    "overrides, field, code",
    [
        ({"topic_names": "Gibtesnicht", "information_only": "on"}, "topic_names", "unknown_topic"),
        ({"held_on": "2999-01-01", "information_only": "on"}, "held_on", "future"),
        ({}, NON_FIELD_ERRORS, "no_outcome"),
        (
            {"information_only": "on", "counselling": "medical"},
            NON_FIELD_ERRORS,
            "information_only",
        ),
        ({"channel": "fax", "information_only": "on"}, "channel", "invalid_choice"),
    ],
    ids=["unknown_topic", "future", "no_outcome", "information_only", "bad_channel"],
)
def test_bad_input_shows_the_form_again_and_counts_nothing(
    client, staff, site, overrides, field, code
):
    client.force_login(staff)
    response = client.post(URL, form_data(site=site, **overrides))
    assert response.status_code == 200
    assert response.context["form"].has_error(field, code)
    assert not Consultation.objects.exists()
    assert SESSION_DEFAULTS not in client.session


def test_other_offices_site_or_group_in_a_post_counts_nothing(
    client, staff, other_site, other_group
):
    client.force_login(staff)
    response = client.post(URL, form_data(site=other_site, groups=[other_group]))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("site", "invalid_choice")
    assert form.has_error("referred_groups", "invalid_choice")
    assert not Consultation.objects.exists()


def test_no_outcome_error_is_shown_on_the_page(client, staff, site):
    client.force_login(staff)
    response = client.post(URL, form_data(site=site))
    assert 'role="alert"' in response.content.decode()


# --- Web requests from the inbox ----------------------------------------------------------


def test_inquiry_of_the_office_prefills_the_form(client, staff, office, group, topic):
    inquiry = make_inquiry(office, group=group)
    client.force_login(staff)
    response = client.get(URL, {"inquiry": inquiry.pk})
    assert response.status_code == 200
    assert response.context["inquiry"] == inquiry
    form = response.context["form"]
    assert form["channel"].value() == Channel.WEB_FORM
    assert form["referred_groups"].value() == [group.pk]
    assert form["held_on"].value() == timezone.localdate(inquiry.created_at)
    assert not form["founding_interest"].value()
    assert f'name="inquiry" value="{inquiry.pk}"' in response.content.decode()


def test_founding_interest_inquiry_prefills_founding_interest_and_topic(
    client, staff, office, topic
):
    kind = Inquiry.Kind.FOUNDING_INTEREST
    inquiry = make_inquiry(office, kind=kind, topic="Testthema Depression")
    client.force_login(staff)
    form = client.get(URL, {"inquiry": inquiry.pk}).context["form"]
    assert form["channel"].value() == Channel.WEB_FORM
    assert form["founding_interest"].value() is True
    assert form["topic_names"].value() == "Testthema Depression"


def test_post_with_an_inquiry_links_it(client, staff, office, group):
    inquiry = make_inquiry(office, group=group)
    client.force_login(staff)
    response = client.post(
        URL,
        form_data(groups=[group], channel=Channel.WEB_FORM, inquiry=inquiry.pk),
    )
    assert response.status_code == 302
    consultation = Consultation.objects.get()
    assert consultation.inquiry == inquiry
    assert consultation.channel == Channel.WEB_FORM
    inquiry.refresh_from_db()
    assert inquiry.consultation == consultation


def test_counted_inquiry_is_no_longer_offered_for_counting(client, staff, office, group):
    inquiry = make_inquiry(office, group=group)
    make_consultation(office, groups=[group], inquiry=inquiry)
    client.force_login(staff)
    response = client.get(URL, {"inquiry": inquiry.pk})
    assert response.status_code == 200
    assert response.context["inquiry"] is None
    assert response.context["form"]["channel"].value() != Channel.WEB_FORM
    assert 'name="inquiry"' not in response.content.decode()


def test_second_post_of_the_same_inquiry_does_not_link_a_second_consultation(
    client, staff, office, group
):
    inquiry = make_inquiry(office, group=group)
    client.force_login(staff)
    data = form_data(groups=[group], channel=Channel.WEB_FORM, inquiry=inquiry.pk)
    client.post(URL, data)
    first = Consultation.objects.get()
    client.post(URL, data)

    assert Consultation.objects.filter(inquiry=inquiry).count() == 1
    assert Consultation.objects.get(inquiry=inquiry) == first


def test_second_post_of_the_same_inquiry_does_not_count_it_again(client, staff, office, group):
    """Submitting a web request twice (two tabs, back button) must not inflate the count.

    The view refuses the race case with "This web request was already counted.", but
    one POST after the other silently records a second, unlinked consultation.
    """
    inquiry = make_inquiry(office, group=group)
    client.force_login(staff)
    data = form_data(groups=[group], channel=Channel.WEB_FORM, inquiry=inquiry.pk)
    client.post(URL, data)
    client.post(URL, data)

    assert Consultation.objects.count() == 1


def test_inquiry_of_another_office_is_ignored(client, staff, office, other_office, group):
    foreign = make_inquiry(other_office, group=GroupFactory(office=other_office))
    client.force_login(staff)

    response = client.get(URL, {"inquiry": foreign.pk})
    assert response.status_code == 200
    assert response.context["inquiry"] is None
    assert response.context["form"]["channel"].value() != Channel.WEB_FORM
    assert 'name="inquiry"' not in response.content.decode()

    response = client.post(URL, form_data(groups=[group], inquiry=foreign.pk))
    assert response.status_code == 302
    consultation = Consultation.objects.get()
    assert consultation.office == office
    assert consultation.inquiry is None
    assert not Consultation.objects.filter(inquiry=foreign).exists()


@pytest.mark.parametrize("value", ["abc", "1.5", ""])
def test_malformed_inquiry_parameter_is_ignored(client, staff, office, group, value):
    client.force_login(staff)
    response = client.get(URL, {"inquiry": value})
    assert response.status_code == 200
    assert response.context["inquiry"] is None
    response = client.post(URL, form_data(groups=[group], inquiry=value))
    assert response.status_code == 302
    assert Consultation.objects.get().inquiry is None


def test_removing_a_counted_consultation_makes_the_inquiry_countable_again(
    client, staff, office, group
):
    inquiry = make_inquiry(office, group=group)
    consultation = make_consultation(office, groups=[group], inquiry=inquiry)
    client.force_login(staff)
    client.post(delete_url(consultation))
    inquiry.refresh_from_db()
    assert Inquiry.objects.filter(pk=inquiry.pk).exists()
    assert client.get(URL, {"inquiry": inquiry.pk}).context["inquiry"] == inquiry


# --- Removing -----------------------------------------------------------------------------


def test_delete_get_asks_for_confirmation_and_changes_nothing(client, staff, office):
    consultation = make_consultation(office)
    client.force_login(staff)
    response = client.get(delete_url(consultation))
    assert response.status_code == 200
    assert response.context["consultation"] == consultation
    assert "groups/consultation_delete.html" in [t.name for t in response.templates]
    content = response.content.decode()
    assert 'method="post"' in content
    assert f'href="{URL}"' in content
    assert Consultation.objects.filter(pk=consultation.pk).exists()


@pytest.mark.parametrize("persona", ["staff", "office_admin"])
def test_delete_post_removes_the_consultation(client, request, office, group, topic, persona):
    consultation = make_consultation(office, topics=[topic], groups=[group])
    keep = make_consultation(office)
    client.force_login(request.getfixturevalue(persona))
    response = client.post(delete_url(consultation))
    assert response.status_code == 302
    assert response["Location"] == URL
    assert list(Consultation.objects.all()) == [keep]
    # The group and the topic stay; only the count goes.
    assert Group.objects.filter(pk=group.pk).exists()
    topic.refresh_from_db()


def test_another_offices_consultation_cannot_be_removed(client, staff, other_office):
    foreign = make_consultation(other_office)
    client.force_login(staff)
    assert client.get(delete_url(foreign)).status_code == 404
    assert client.post(delete_url(foreign)).status_code == 404
    assert Consultation.objects.filter(pk=foreign.pk).exists()


@pytest.mark.parametrize("persona", ["starter", "coordinator"])
def test_other_roles_cannot_remove(client, request, office, persona):
    consultation = make_consultation(office)
    client.force_login(request.getfixturevalue(persona))
    assert client.get(delete_url(consultation)).status_code == 403
    assert client.post(delete_url(consultation)).status_code == 403
    assert Consultation.objects.filter(pk=consultation.pk).exists()


def test_deleting_a_missing_consultation_is_404(client, staff):
    client.force_login(staff)
    assert client.post(reverse("groups:consultation_delete", args=[999999])).status_code == 404


# --- The list ------------------------------------------------------------------------------


def test_list_shows_only_the_offices_consultations(client, staff, office, other_office):
    today = timezone.localdate()
    own_today = make_consultation(office, held_on=today)
    own_earlier = make_consultation(office, held_on=today - datetime.timedelta(days=400))
    foreign = make_consultation(other_office, held_on=today)
    client.force_login(staff)
    response = client.get(URL)
    assert list(response.context["recent"]) == [own_today, own_earlier]
    content = response.content.decode()
    assert delete_url(own_today) in content
    assert delete_url(own_earlier) in content
    assert delete_url(foreign) not in content
    # 400 days back is always last year or earlier.
    assert response.context["counts"] == {"today": 1, "year": 1}


def test_list_is_limited_to_the_latest(client, staff, office):
    today = timezone.localdate()
    for days in range(RECENT + 3):
        make_consultation(office, held_on=today - datetime.timedelta(days=days))
    client.force_login(staff)
    recent = list(client.get(URL).context["recent"])
    assert len(recent) == RECENT
    assert recent[0].held_on == today


def create_consultations(office, count):
    sites = [SiteFactory(office=office) for _ in range(3)]
    topics = [TopicFactory() for _ in range(4)]
    groups = [GroupFactory(office=office) for _ in range(4)]
    for number in range(count):
        make_consultation(
            office,
            site=sites[number % 3],
            topics=topics[number % 4 :][:2] or topics[:1],
            groups=groups[: 1 + number % 3],
            counselling="social" if number % 2 else "",
        )


@pytest.mark.parametrize("count", [5, 60])
def test_page_query_count_does_not_grow(
    client, staff, office, count, django_assert_max_num_queries
):
    create_consultations(office, count)
    client.force_login(staff)
    with django_assert_max_num_queries(14):
        response = client.get(URL)
    assert response.status_code == 200
    assert len(response.context["recent"]) == min(count, RECENT)


# --- The inbox ----------------------------------------------------------------------------


def test_inbox_shows_which_requests_are_counted(client, staff, office, other_office, group):
    counted = make_inquiry(office, group=group)
    open_ = make_inquiry(office, group=group)
    make_consultation(office, groups=[group], inquiry=counted)
    client.force_login(staff)
    response = client.get(INBOX)
    assert response.status_code == 200
    content = response.content.decode()
    assert f"{URL}?inquiry={open_.pk}" in content
    assert f"{URL}?inquiry={counted.pk}" not in content
    rows = {inquiry.pk: inquiry for inquiry in response.context["inquiries"]}
    assert rows[counted.pk].consultation.inquiry_id == counted.pk
    assert not hasattr(rows[open_.pk], "consultation")


@pytest.mark.parametrize("count", [5, 30])
def test_inbox_query_count_does_not_grow(
    client, staff, office, group, count, django_assert_max_num_queries
):
    groups = [group, GroupFactory(office=office), None]
    for number in range(count):
        inquiry = make_inquiry(office, group=groups[number % 3], topic="Trauer")
        if number % 2:
            make_consultation(office, information_only=True, inquiry=inquiry)
    client.force_login(staff)
    # 9 since the founding-interest exchange: the requests' thesaurus topics, prefetched.
    with django_assert_max_num_queries(9):
        response = client.get(INBOX)
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count(f"{URL}?inquiry=") == (count + 1) // 2


# --- Words for who asks in the topic input ---------------------------------------------------


@pytest.mark.parametrize("word", ["Angehörige", "angehörige:r", "Partner:in", "ELTERN"])
def test_audience_word_in_the_topics_chooses_who_asks(office, topic, synonym, word):
    form = bound_form(
        office, information_only="on", asker="", topic_names=f"Testwort Schwermut; {word}"
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["asker"] == Asker.RELATIVE
    assert form.cleaned_data["topic_names"] == [topic]  # the synonym still names its topic
    assert form.audience_words == [word]
    consultation = form.save()
    assert consultation.asker == Asker.RELATIVE
    assert list(consultation.topics.all()) == [topic]


def test_audience_word_agreeing_with_the_chosen_asker_is_fine(office):
    form = bound_form(office, information_only="on", asker=Asker.RELATIVE, topic_names="Eltern")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["topic_names"] == []


@pytest.mark.parametrize(
    "asker, names",
    [(Asker.AFFECTED, "Angehörige"), ("", "Angehörige; Fachkraft")],
    ids=["other_choice", "two_askers"],
)
def test_audience_word_differing_from_who_asks_is_an_error(office, asker, names):
    form = bound_form(office, information_only="on", asker=asker, topic_names=names)
    assert not form.is_valid()
    assert form.has_error("topic_names", "audience_conflict")


def test_topic_named_like_an_audience_word_stays_a_topic(office):
    parents = TopicFactory(name="Testthema Eltern")
    Synonym.objects.create(topic=parents, term="Partner*in")
    form = bound_form(office, information_only="on", topic_names="Partner*in")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["topic_names"] == [parents]
    assert form.cleaned_data["asker"] == Asker.AFFECTED


def test_no_asker_and_no_audience_word_is_still_required(office, topic):
    form = bound_form(office, information_only="on", asker="", topic_names=topic.name)
    assert form.has_error("asker", "required")


def test_counting_with_an_audience_word_says_where_it_went(client, staff, site, topic, synonym):
    client.force_login(staff)
    response = client.post(
        URL,
        form_data(
            site=site,
            asker="",
            topic_names="Testwort Schwermut; Angehörige",
            information_only="on",
        ),
        follow=True,
    )
    consultation = Consultation.objects.get()
    assert consultation.asker == Asker.RELATIVE
    assert list(consultation.topics.all()) == [topic]
    texts = [str(message) for message in response.context["messages"]]
    assert any("Angehörige" in text and "Angehörige:r" in text for text in texts), texts


# --- Searching groups for the referral picker ------------------------------------------------

SEARCH = reverse("groups:consultation_group_search")


def found(client, query):
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return [result["name"] for result in response.json()["results"]]


def test_search_finds_groups_by_name_topic_and_synonym(client, staff, office, group, synonym):
    GroupFactory(office=office, name="Anker-Runde", topics=[TopicFactory(name="Testthema Angst")])
    client.force_login(staff)
    assert found(client, "licht") == ["Lichtblick"]
    assert found(client, "testthema depr") == ["Lichtblick"]
    assert found(client, "SCHWERMUT") == ["Lichtblick"]
    assert found(client, "Anker") == ["Anker-Runde"]
    assert found(client, "gibtesnicht") == []
    result = client.get(SEARCH, {"q": "licht"}).json()["results"][0]
    assert result == {"id": group.pk, "name": "Lichtblick", "topics": "Testthema Depression"}


def test_search_puts_names_beginning_with_the_words_first(client, staff, office, topic):
    GroupFactory(office=office, name="Treff am Licht")
    GroupFactory(office=office, name="Lichtung")
    client.force_login(staff)
    assert found(client, "licht") == ["Lichtung", "Treff am Licht"]


def test_search_never_returns_another_offices_or_closed_groups(
    client, staff, office, other_office, group, topic, other_group
):
    GroupFactory(office=office, name="Lichtblick alt", status=Group.Status.CLOSED)
    GroupFactory(office=other_office, name="Lichtblick fremd", topics=[topic])
    client.force_login(staff)
    assert found(client, "lichtblick") == ["Lichtblick"]
    assert found(client, "fremde") == []
    assert found(client, "testthema") == ["Lichtblick"]
    assert found(client, "") == ["Lichtblick"]


def test_search_is_limited_and_says_there_is_more(client, staff, office):
    for number in range(SEARCH_LIMIT + 5):
        GroupFactory(office=office, name=f"Testgruppe {number:02}")
    client.force_login(staff)
    data = client.get(SEARCH, {"q": "testgruppe"}).json()
    assert len(data["results"]) == SEARCH_LIMIT
    assert data["more"] is True
    data = client.get(SEARCH, {"q": "testgruppe 03"}).json()
    assert [result["name"] for result in data["results"]] == ["Testgruppe 03"]
    assert data["more"] is False


def test_search_leaves_out_the_groups_already_chosen(client, staff, office, group):
    second = GroupFactory(office=office, name="Lichtung")
    client.force_login(staff)
    response = client.get(SEARCH, {"q": "licht", "chosen": [group.pk, "x"]})
    assert [result["id"] for result in response.json()["results"]] == [second.pk]


@pytest.mark.parametrize("count", [3, 40])
def test_search_query_count_does_not_grow(
    client, staff, office, topic, count, django_assert_max_num_queries
):
    for number in range(count):
        GroupFactory(office=office, name=f"Testgruppe {number}", topics=[topic])
    client.force_login(staff)
    # Session, user, membership, office; the groups; their topics.
    with django_assert_max_num_queries(6):
        response = client.get(SEARCH, {"q": "testthema"})
    assert len(response.json()["results"]) == min(count, SEARCH_LIMIT)


@pytest.mark.parametrize("persona", ["starter", "coordinator", "other_office_starter"])
def test_search_refuses_other_roles(client, request, persona, group):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(SEARCH, {"q": "licht"}).status_code == 403


def test_search_sends_anonymous_visitors_to_login(client, group):
    response = client.get(SEARCH, {"q": "licht"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_page_carries_the_picker_and_works_as_a_plain_select(client, staff, group):
    client.force_login(staff)
    content = client.get(URL).content.decode()
    assert 'data-group-picker="id_referred_groups"' in content
    assert f'data-search-url="{SEARCH}"' in content
    assert "js/group-picker.js" in content
    assert re.search(r'<select name="referred_groups"[^>]*size="10"[^>]*multiple', content)
    assert f'<option value="{group.pk}">Lichtblick</option>' in content


# --- Correcting a counted consultation -------------------------------------------------------


def correct_url(consultation):
    return reverse("groups:consultation_correct", args=[consultation.pk])


def labels(office, *names):
    fields = ConsultationForm(office=office).fields
    return [str(fields[name].label) for name in names]


def corrections():
    return AuditEntry.objects.filter(action=AuditEntry.Action.RECORD_CORRECTED)


def correction_form(consultation, **overrides):
    data = form_data(
        site=consultation.site,
        groups=consultation.referred_groups.all(),
        held_on=consultation.held_on.isoformat(),
        channel=consultation.channel,
        asker=consultation.asker,
        topic_names="; ".join(topic.name for topic in consultation.topics.all()),
        counselling=consultation.counselling,
    )
    for flag in ("young", "founding_interest", "information_only"):
        if getattr(consultation, flag):
            data[flag] = "on"
    data.update(overrides)
    return ConsultationForm(data, instance=consultation, office=consultation.office)


def test_correction_changes_fields_topics_and_groups_with_one_audit_entry(
    office, site, staff, group, topic
):
    other_topic = TopicFactory(name="Testthema Angst")
    second = GroupFactory(office=office, name="Anker-Runde")
    consultation = make_consultation(office, site=site, topics=[topic], groups=[group])
    form = correction_form(
        consultation,
        channel=Channel.EMAIL,
        topic_names="Testthema Angst",
        referred_groups=[group.pk, second.pk],
    )
    assert form.is_valid(), form.errors

    changes = services.correct_consultation(staff, form)

    consultation.refresh_from_db()
    assert consultation.channel == Channel.EMAIL
    assert consultation.asker == Asker.AFFECTED
    assert list(consultation.topics.all()) == [other_topic]
    assert set(consultation.referred_groups.all()) == {group, second}
    expected = labels(office, "channel", "topic_names", "referred_groups")
    assert [str(label) for label in changes] == expected
    entry = corrections().get()
    assert entry.fields == expected
    assert entry.actor == staff
    assert entry.office == office
    assert entry.target_id == str(consultation.pk)
    # Labels, never values: neither the old nor the new channel or topic is in the trail.
    assert "Angst" not in str(entry.fields)
    assert "mail" not in str(entry.fields).lower()


def test_unchanged_correction_writes_nothing(office, site, staff, group, topic, synonym):
    consultation = make_consultation(office, site=site, topics=[topic], groups=[group])
    # The same topic by its synonym is no change either.
    form = correction_form(consultation, topic_names="testwort schwermut")
    assert form.is_valid(), form.errors
    assert services.correct_consultation(staff, form) == []
    assert not corrections().exists()


def test_correction_keeps_the_web_request_link(office, staff, group):
    inquiry = make_inquiry(office, group=group)
    consultation = make_consultation(
        office, groups=[group], inquiry=inquiry, channel=Channel.WEB_FORM
    )
    form = correction_form(consultation, asker=Asker.RELATIVE)
    assert form.is_valid(), form.errors
    services.correct_consultation(staff, form)
    consultation.refresh_from_db()
    assert consultation.inquiry == inquiry
    assert consultation.asker == Asker.RELATIVE


def test_correction_keeps_a_referral_to_a_group_closed_since(office, staff, group):
    consultation = make_consultation(office, groups=[group])
    Group.objects.filter(pk=group.pk).update(status=Group.Status.CLOSED)
    form = correction_form(consultation, young="on")
    assert form.is_valid(), form.errors
    assert services.correct_consultation(staff, form) == labels(office, "young")
    assert list(consultation.referred_groups.all()) == [group]
    # A new count still cannot refer to it.
    assert bound_form(office, groups=[group]).has_error("referred_groups", "invalid_choice")


def test_correction_is_all_or_nothing(office, staff, group, topic, monkeypatch):
    consultation = make_consultation(office, topics=[topic], groups=[group])
    form = correction_form(consultation, channel=Channel.EMAIL, topic_names="")
    assert form.is_valid(), form.errors

    def fail(*args, **kwargs):
        raise RuntimeError("audit trail unavailable")

    monkeypatch.setattr(services.audit, "record", fail)
    with pytest.raises(RuntimeError):
        services.correct_consultation(staff, form)
    consultation = Consultation.objects.get(pk=consultation.pk)
    assert consultation.channel == Channel.PHONE
    assert list(consultation.topics.all()) == [topic]


def test_correcting_a_consultation_removed_meanwhile_is_a_domain_error(office, staff):
    consultation = make_consultation(office)
    form = correction_form(consultation, channel=Channel.EMAIL)
    assert form.is_valid(), form.errors
    Consultation.objects.filter(pk=consultation.pk).delete()
    with pytest.raises(services.GroupError):
        services.correct_consultation(staff, form)
    assert not corrections().exists()


@pytest.mark.parametrize("persona", ["staff", "office_admin"])
def test_correct_page_shows_the_form_filled_in(
    client, request, office, site, group, topic, persona
):
    consultation = make_consultation(
        office, site=site, topics=[topic], groups=[group], asker=Asker.RELATIVE
    )
    client.force_login(request.getfixturevalue(persona))
    response = client.get(correct_url(consultation))
    assert response.status_code == 200
    assert "groups/consultation_correct.html" in [t.name for t in response.templates]
    form = response.context["form"]
    assert form.instance == consultation
    assert form["topic_names"].value() == "Testthema Depression"
    assert form["referred_groups"].value() == [group.pk]
    assert form["asker"].value() == Asker.RELATIVE
    content = response.content.decode()
    assert 'data-group-picker="id_referred_groups"' in content
    assert 'name="inquiry"' not in content


def test_correct_post_saves_and_returns_to_the_list(client, staff, office, site, group, topic):
    consultation = make_consultation(office, site=site, groups=[group])
    client.force_login(staff)
    data = form_data(
        site=site, groups=[group], topic_names="Testthema Depression; Angehörige", asker=""
    )
    response = client.post(correct_url(consultation), data, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    consultation.refresh_from_db()
    assert consultation.asker == Asker.RELATIVE
    assert list(consultation.topics.all()) == [topic]
    assert corrections().get().fields == labels(office, "asker", "topic_names")
    texts = [str(message) for message in response.context["messages"]]
    assert len(texts) == 2, texts
    assert Consultation.objects.count() == 1


def test_correct_post_without_changes_says_so(client, staff, office, site, group):
    consultation = make_consultation(office, site=site, groups=[group])
    client.force_login(staff)
    response = client.post(
        correct_url(consultation), form_data(site=site, groups=[group]), follow=True
    )
    assert response.redirect_chain == [(URL, 302)]
    assert not corrections().exists()
    assert len(list(response.context["messages"])) == 1


@pytest.mark.parametrize(
    "overrides, field, code",
    [
        ({"topic_names": "Gibtesnicht"}, "topic_names", "unknown_topic"),
        ({"held_on": "2999-01-01"}, "held_on", "future"),
        ({"referred_groups": [], "information_only": ""}, NON_FIELD_ERRORS, "no_outcome"),
        (
            {"asker": Asker.AFFECTED, "topic_names": "Angehörige"},
            "topic_names",
            "audience_conflict",
        ),
    ],
    ids=["unknown_topic", "future", "no_outcome", "audience_conflict"],
)
def test_bad_correction_shows_the_form_again_and_changes_nothing(
    client, staff, office, site, group, topic, overrides, field, code
):
    consultation = make_consultation(office, site=site, topics=[topic], groups=[group])
    client.force_login(staff)
    data = form_data(site=site, groups=[group], topic_names=topic.name, channel=Channel.EMAIL)
    data.update(overrides)
    response = client.post(correct_url(consultation), data)
    assert response.status_code == 200
    assert response.context["form"].has_error(field, code)
    consultation.refresh_from_db()
    assert consultation.channel == Channel.PHONE
    assert list(consultation.topics.all()) == [topic]
    assert list(consultation.referred_groups.all()) == [group]
    assert not corrections().exists()


def test_another_offices_consultation_cannot_be_corrected(client, other_staff, office, site):
    consultation = make_consultation(office, site=site)
    client.force_login(other_staff)
    assert client.get(correct_url(consultation)).status_code == 404
    response = client.post(correct_url(consultation), form_data(channel=Channel.EMAIL))
    assert response.status_code == 404
    consultation.refresh_from_db()
    assert consultation.channel == Channel.PHONE
    assert not corrections().exists()


@pytest.mark.parametrize("persona", ["starter", "coordinator", "other_office_starter"])
def test_other_roles_cannot_correct(client, request, office, site, persona):
    consultation = make_consultation(office, site=site)
    client.force_login(request.getfixturevalue(persona))
    assert client.get(correct_url(consultation)).status_code == 403
    data = form_data(site=site, channel=Channel.EMAIL, information_only="on")
    assert client.post(correct_url(consultation), data).status_code == 403
    consultation.refresh_from_db()
    assert consultation.channel == Channel.PHONE


def test_correct_sends_anonymous_visitors_to_login(client, office):
    consultation = make_consultation(office)
    response = client.get(correct_url(consultation))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_correcting_a_missing_consultation_is_404(client, staff):
    client.force_login(staff)
    missing = reverse("groups:consultation_correct", args=[999999])
    assert client.get(missing).status_code == 404
    assert client.post(missing, form_data(information_only="on")).status_code == 404


def test_list_links_each_consultation_to_its_correction(client, staff, office, other_office):
    own = make_consultation(office)
    foreign = make_consultation(other_office)
    client.force_login(staff)
    content = client.get(URL).content.decode()
    assert correct_url(own) in content
    assert correct_url(foreign) not in content
