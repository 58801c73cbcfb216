"""The access matrix: every URL of the project, requested as every persona.

``MATRIX`` has an entry for each URL name the resolver knows, the Django admin's
included (a test checks that both sets are equal, so a new view without an entry
fails). Ids in the URLs point to objects of ``office`` and of the ``starter`` persona,
so for the staff of another office and for the other starter they are someone else's.

Expected answers: anonymous visitors of private pages go to the login page (302 with
``?next=``), public pages answer 200, a wrong role 403, an object of another office or
another starter 404, the rightful role 200 (405 for a GET of a POST-only view). Each
wrong party also POSTs, with a body that works for the rightful role (a test proves
it does) or an empty one, and the POST must change nothing in the database.

The personas are those of ``tests/conftest.py``; the other office's admin is one of
them for the Django admin's sake. Each persona is one test: it requests every URL and
reports every mismatch at once, naming method, address, URL name, persona, the
expected and the actual answer. Every request is rolled back, so all meet one world.
"""

import datetime
import hashlib
from contextlib import contextmanager
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from groups.api import ids as hsds_ids
from groups.api import serializers as hsds
from groups.forms import GroupForm
from groups.models import (
    Consultation,
    Group,
    Inquiry,
    MeetingPause,
    ReferralFollowUp,
    Topic,
    Verification,
)
from kontaktstelle.accounts.models import Invitation, Membership
from kontaktstelle.audit import services as audit
from kontaktstelle.audit.models import AuditEntry
from kontaktstelle.offices.models import LegalText, Site
from starters import calendar, services
from starters.forms import (
    AccompanimentForm,
    AvailabilityFormSet,
    CohortForm,
    EventForm,
    MeetingLogForm,
    ProfileForm,
    StarterForm,
)
from starters.models import (
    Accompaniment,
    Assignment,
    Attendance,
    Certificate,
    CohortParticipation,
    MeetingLog,
    Qualification,
    TrainingCohort,
    VolunteerApplication,
)
from tests.factories import (
    GroupFactory,
    RoomFactory,
    StarterFactory,
    TopicFactory,
    TrainingCohortFactory,
    TrainingEventFactory,
    member,
)

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)

ANONYMOUS = "anonymous"
PERSONAS = [
    ANONYMOUS,
    "starter",
    "other_starter",
    "other_staff",
    "other_office_admin",
    "staff",
    "office_admin",
    "coordinator",
]
GROUPS = {
    "starters": ("starter", "other_starter"),
    "other_office": ("other_staff", "other_office_admin"),
    "staff": ("staff", "office_admin", "other_staff", "other_office_admin"),
    "own_office": ("staff", "office_admin"),
    "non_admins": ("starter", "other_starter", "other_staff", "staff", "coordinator"),
}


# Answers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """A status code and, for a redirect, where it leads.

    ``to`` is a URL name or a function of the world giving a path; ``with_next`` means
    the redirect carries the requested address as ``?next=`` (the login pages).
    """

    status: int
    to: Any = None
    with_next: bool = False

    def __str__(self):
        return f"{self.status} -> {self.to}" if self.to else str(self.status)

    def location(self, world):
        return self.to(world) if callable(self.to) else reverse(self.to)


OK = Answer(200)
FORBIDDEN = Answer(403)
NOT_FOUND = Answer(404)
NOT_ALLOWED = Answer(405)
GONE = Answer(410)
LOGIN = Answer(302, "login", with_next=True)
ADMIN_LOGIN = Answer(302, "admin:login", with_next=True)


def redirect(to):
    return Answer(302, to)


def answers(everyone=None, **given):
    """Answers per persona; a key names a persona or one of ``GROUPS``."""
    result = dict.fromkeys(PERSONAS, everyone) if everyone else {}
    for key, answer in given.items():
        for persona in GROUPS.get(key, (key,)):
            result[persona] = answer
    assert set(result) == set(PERSONAS), set(PERSONAS) - set(result)
    return result


def public():
    return {"get": answers(everyone=OK), "post": {}}


def signed_in(answer=OK):
    return {"get": answers(everyone=answer, anonymous=LOGIN), "post": {ANONYMOUS: LOGIN}}


def office_page(get=OK, admins_only=False):
    """Staff and office admins (or office admins only), each on their own office; no
    object in the URL. Everyone else gets 403, visitors the login page."""
    rightful = ("office_admin", "other_office_admin") if admins_only else GROUPS["staff"]
    result = answers(everyone=FORBIDDEN, anonymous=LOGIN, **dict.fromkeys(rightful, get))
    return {"get": result, "post": {p: a for p, a in result.items() if a in (LOGIN, FORBIDDEN)}}


def office_object(get=OK, admins_only=False):
    """An object of ``office``: the other office's staff (or admin) get 404, or 405 from a
    view without GET, which answers a POST with 404."""
    rule = office_page(get, admins_only)
    others = ("other_office_admin",) if admins_only else GROUPS["other_office"]
    for persona in others:
        rule["get"][persona] = NOT_FOUND if get == OK else get
        rule["post"][persona] = NOT_FOUND
    return rule


def own_area(get=OK):
    """The starter's own area without an object: every starter sees their own."""
    result = answers(everyone=FORBIDDEN, anonymous=LOGIN, starters=get)
    return {"get": result, "post": {p: a for p, a in result.items() if a != get}}


def own_object(get=OK):
    """An object of the ``starter`` persona: the other starter gets 404."""
    result = own_area(get)
    result["get"]["other_starter"] = NOT_FOUND
    result["post"]["other_starter"] = NOT_FOUND
    return result


def meeting_log():
    """A log: the starters on it and the staff of its office (both routes, one view)."""
    get = answers(
        anonymous=LOGIN,
        starter=OK,
        other_starter=NOT_FOUND,
        own_office=OK,
        other_office=NOT_FOUND,
        coordinator=FORBIDDEN,
    )
    return {"get": get, "post": {p: a for p, a in get.items() if a != OK}}


def only(persona):
    get = answers(everyone=FORBIDDEN, anonymous=LOGIN, **{persona: OK})
    return {"get": get, "post": {}}


def admin(office_admin=OK, other_office_admin=None, post=True, anonymous=ADMIN_LOGIN):
    """The admin: office admins, on their own office's records; others to its login.

    The admin site's own pages let visitors through to the admin's login page; the
    pages of its models are not marked so, and send them to the site's login page.
    """
    get = answers(
        anonymous=anonymous,
        non_admins=ADMIN_LOGIN,
        office_admin=office_admin,
        other_office_admin=other_office_admin or office_admin,
    )
    refused = {p: a for p, a in get.items() if a not in (OK, NOT_ALLOWED)}
    return {"get": get, "post": refused if post else {}}


# The world -----------------------------------------------------------------------------


def make_accompaniment(office, responsible, group, **fields):
    return Accompaniment.objects.create(
        office=office,
        group=group,
        responsible=responsible,
        kind=Accompaniment.Kind.FOUNDING,
        requested_by="Gründerin",
        planned_meetings=6,
        meeting_weekday=1,
        meeting_time=datetime.time(19),
        meeting_place="Gruppenraum 1",
        **fields,
    )


@pytest.fixture
def world(
    network,
    office,
    other_office,
    site,
    other_site,
    staff,
    office_admin,
    other_staff,
    other_office_admin,
    starter,
    other_starter,
    other_office_starter,
    coordinator,
):
    """Objects of ``office`` and of the ``starter`` persona, and a few of other_office."""
    founding = Qualification.objects.get(code=Qualification.Code.FOUNDING)
    profile, other_profile = starter.starter, other_starter.starter
    profile.qualifications.add(founding)
    other_profile.qualifications.add(founding)

    # Groups are matched only with topics (content abstinence).
    grief = TopicFactory(name="Trauer (Matrix)")
    group = GroupFactory(
        office=office, name="Trauer und Neubeginn", status=Group.Status.FOUNDING, topics=[grief]
    )
    active = make_accompaniment(office, staff, group, started_on=TODAY - 30 * DAY)
    assignment = services.offer(staff, active, profile)
    services.answer_offer(profile, assignment, accept=True)
    offered = make_accompaniment(
        office, staff, GroupFactory(office=office, name="Neue Wege", topics=[grief])
    )
    offer = services.offer(staff, offered, profile)
    log = MeetingLog.objects.create(
        accompaniment=active,
        held_on=TODAY - 7 * DAY,
        starts_at=datetime.time(19),
        duration_minutes=90,
        participants=6,
        newcomers=1,
        logged_by=starter,
        wants_talk=True,
    )
    log.accompanied_by.set([profile])

    invited_user = member(
        Membership.Role.STARTER, office=office, email="neu@example.org", name="Nora Neu"
    )
    invited_user.set_unusable_password()
    invited_user.save()
    invited = StarterFactory(office=office, user=invited_user)
    invitation_token = "einladung-token-0123456789"
    Invitation.objects.create(
        user=invited_user,
        token_hash=hashlib.sha256(invitation_token.encode()).hexdigest(),
        invited_by=staff,
        expires_at=timezone.now() + 7 * DAY,
    )

    cohort = TrainingCohortFactory(office=office, starts_on=TODAY - 60 * DAY)
    cohort.grants.set([founding])
    inquiry = Inquiry.objects.create(
        office=office,
        kind=Inquiry.Kind.FOUNDING_INTEREST,
        name="Sabine Interessiert",
        email="interesse@example.net",
        topic="Trauer nach Suizid",
        consent_at=timezone.now(),
    )
    other_group = GroupFactory(office=other_office, name="Fremde Gruppe")
    # The yearly data check: an answer to review, and a link not used yet.
    check_token = "abgleich-token-0123456789"
    checked = GroupFactory(office=office, name="Gruppe im Abgleich")
    Verification.objects.create(
        group=checked,
        channel=Verification.Channel.EMAIL,
        token_hash=hashlib.sha256(check_token.encode()).hexdigest(),
        expires_at=timezone.now() + 7 * DAY,
    )
    # A referral's follow-up e-mail sent, its link not used yet.
    follow_up_token = "rueckmeldung-token-0123456789"
    referral = Consultation.objects.create(
        office=office,
        channel=Consultation.Channel.PHONE,
        asker=Consultation.Asker.AFFECTED,
        held_on=TODAY - 30 * DAY,
    )
    referral.referred_groups.set([group])
    ReferralFollowUp.objects.create(
        consultation=referral,
        email="vermittelt@example.net",
        sent_at=timezone.now(),
        token_hash=hashlib.sha256(follow_up_token.encode()).hexdigest(),
    )
    access = {"user_agent": "Testbrowser", "ip_address": "192.0.2.1", "path_info": "/anmelden/"}
    objects = {
        "network": network,
        "office": office,
        "site": site,
        "room": site.rooms.get(),
        "other_site": other_site,
        "other_room": RoomFactory(site=other_site),
        "group": group,
        "unlisted": GroupFactory(office=office, listing=Group.Listing.UNLISTED),
        "pause": MeetingPause.objects.create(group=group, starts_on=TODAY + 200 * DAY),
        "other_group": other_group,
        "inquiry": inquiry,
        "check": Verification.objects.create(
            group=group,
            channel=Verification.Channel.EMAIL,
            answered_at=timezone.now(),
            still_meets=Verification.Meets.YES,
            consent_renewed=True,
            proposed={"name": "Trauer und Neubeginn e. V."},
        ),
        "check_token": check_token,
        "follow_up_token": follow_up_token,
        "other_inquiry": Inquiry.objects.create(
            office=other_office,
            kind=Inquiry.Kind.FOUNDING_INTEREST,
            name="Fremde Anfrage",
            email="fremd@example.net",
            consent_at=timezone.now(),
        ),
        "consultation": Consultation.objects.create(
            office=office,
            channel=Consultation.Channel.PHONE,
            asker=Consultation.Asker.AFFECTED,
            information_only=True,
        ),
        "profile": profile,
        "other_profile": other_profile,
        "foreign_profile": other_office_starter.starter,
        "foreign_qualification": Qualification.objects.create(
            office=other_office, name="Qualifikation Anderswo"
        ),
        "invited": invited,
        "invitation_token": invitation_token,
        "reset_uid": urlsafe_base64_encode(force_bytes(invited_user.pk)),
        "reset_token": default_token_generator.make_token(invited_user),
        "calendar_token": calendar.new_feed_token(profile),
        "active": active,
        "assignment": assignment,
        "offered": offered,
        "offer": offer,
        "log": log,
        "certificate": Certificate.objects.create(
            starter=profile, period_start=TODAY.replace(month=1, day=1), period_end=TODAY
        ),
        "cohort": cohort,
        "participation": CohortParticipation.objects.create(cohort=cohort, starter=profile),
        "event": TrainingEventFactory(office=office, date=TODAY),
        "auth_group": AuthGroup.objects.create(name="Testgruppe"),
        "site_type": ContentType.objects.get_for_model(Site),
        "former_staff": member(Membership.Role.STAFF, office=office, name="Ehemalige Fachkraft"),
        "audit_entry": audit.record(staff, AuditEntry.Action.EXPORT, target="gruppen.csv"),
        "totp_device": TOTPDevice.objects.create(user=invited_user, name="App", confirmed=True),
        "static_device": StaticDevice.objects.create(user=invited_user, name="Ersatzcodes"),
        "access_attempt": AccessAttempt.objects.create(
            username="jemand@example.org", failures_since_start=1, **access
        ),
        "access_log": AccessLog.objects.create(username="jemand@example.org", **access),
        "access_failure": AccessFailureLog.objects.create(username="jemand@example.org", **access),
        "application": VolunteerApplication.objects.create(
            office=office,
            name="Bea Bewerberin",
            email="bea@example.net",
            town="Musterstadt-Nord",
            motivation="Ich habe lange eine Gruppe geleitet.",
            consent_at=timezone.now(),
            consent_text="Ich bin einverstanden …",
        ),
    }
    users = {
        "starter": starter,
        "other_starter": other_starter,
        "other_staff": other_staff,
        "other_office_admin": other_office_admin,
        "staff": staff,
        "office_admin": office_admin,
        "coordinator": coordinator,
    }
    return SimpleNamespace(users=users, **objects)


# POST bodies ---------------------------------------------------------------------------


def form_data(*forms, **overrides):
    """What a browser sends for unchanged forms (initial values), with ``overrides``."""
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False or value == "" or value == []:
                continue
            key = form.add_prefix(name)
            if value is True:
                data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(item) for item in value]
            else:
                data[key] = str(value)
    return data | overrides


def availability_forms(profile):
    formset = AvailabilityFormSet(instance=profile, prefix="availability")
    return [formset.management_form, *formset.forms]


def group_data(w):
    form = GroupForm(instance=w.group, office=w.office)
    return form_data(form, name="Trauer und Neubeginn (umbenannt)")


def starter_data(w):
    form = StarterForm(instance=w.profile, office=w.office)
    return form_data(form, *availability_forms(w.profile), phone="0171 9999999")


def profile_data(w):
    form = ProfileForm(instance=w.profile, office=w.office)
    return form_data(form, *availability_forms(w.profile), phone="0171 9999999")


def log_data(w):
    form = MeetingLogForm(instance=w.log, accompaniment=w.active)
    form.initial["worked_on"] = w.log.worked_on
    return form_data(form, participants="9")


def new_log_data(w):
    return {
        "held_on": TODAY.isoformat(),
        "starts_at": "19:00",
        "duration_minutes": "90",
        "participants": "8",
        "newcomers": "1",
        "worked_on": ["rules"],
        "process_note": "Die Gruppe findet ihre Form.",
    }


def period_data(w):
    return {"period_start": TODAY.replace(month=1, day=1).isoformat(), "period_end": TODAY}


def consultation_data(w):
    return {
        "held_on": TODAY.isoformat(),
        "site": w.site.pk,
        "channel": Consultation.Channel.PHONE,
        "asker": Consultation.Asker.AFFECTED,
        "information_only": "on",
    }


def empty(w):
    return {}


def pause_data(w):
    return {"action": "pause", "pause-starts_on": (TODAY + 100 * DAY).isoformat()}


def visitor(w):
    """The person who wrote in with the founding interest, by their e-mail address."""
    return {"contact": w.inquiry.email}


# The matrix ----------------------------------------------------------------------------


@dataclass
class Case:
    """One request of a URL name: its answers per persona, its arguments and POST body.

    ``data`` is the body every wrong party (those in ``post``) POSTs; None for views
    that take no POST or only public ones. ``acts`` names who may send it with effect:
    ``test_post_bodies_act_for_the_rightful_persona`` proves the body is not refused
    for bad input alone.
    """

    get: dict
    post: dict
    args: Any = None
    query: Any = None
    data: Any = None
    acts: str | None = None
    url: Any = None

    def path(self, name, world):
        if self.url:  # an unnamed pattern
            return self.url(world)
        path = reverse(name, args=self.args(world) if self.args else None)
        return path + ("?" + self.query(world) if self.query else "")


def case(rule, **kwargs):
    return Case(get=rule["get"], post=rule["post"], **kwargs)


def pk(attribute):
    return lambda w: [getattr(w, attribute).pk]


def admin_model(app, model, obj, office_admin=OK, other_office_admin=None, add=OK, delete=None):
    """The URLs the admin makes for a model; ``obj`` is an object of ``office`` (or shared).

    Another office admin asking for our object is sent to the admin index, as the admin
    does for an object that does not exist; ``other_office_admin`` overrides that. The
    unnamed ``<id>/`` pattern only redirects to the change page, which checks.
    """
    label = f"admin:{app}_{model}"
    elsewhere = other_office_admin or redirect("admin:index")
    delete = delete or office_admin

    def page(answer, other_answer, post=True):
        return admin(answer, other_answer, post=post, anonymous=LOGIN)

    change = redirect(lambda w: reverse(f"{label}_change", args=obj(w)))
    return {
        f"{label}_changelist": [case(page(office_admin, office_admin), data=empty)],
        f"{label}_add": [case(page(add, add), data=empty)],
        f"{label}_history": [case(page(office_admin, elsewhere, post=False), args=obj)],
        f"{label}_delete": [
            case(
                page(delete, elsewhere if delete == OK else delete),
                args=obj,
                data=lambda w: {"post": "yes"},
                acts="office_admin" if delete == OK else None,
            )
        ],
        f"{label}_change": [case(page(office_admin, elsewhere), args=obj, data=empty)],
        f"intern/admin/{app}/{model}/<path:object_id>/": [
            case(
                page(change, change),
                url=lambda w: f"/intern/admin/{app}/{model}/{obj(w)[0]}/",
                data=empty,
            )
        ],
    }


def admin_model_not_theirs(app, model, obj):
    """A model office admins hold no permission for (Django's own, the libraries')."""
    return admin_model(app, model, obj, FORBIDDEN, other_office_admin=FORBIDDEN, add=FORBIDDEN)


home_for_user = answers(
    anonymous=LOGIN,
    starters=redirect("starters:home"),
    staff=redirect("dashboard"),
    coordinator=redirect("network_overview"),
)

MATRIX = {
    # Public pages
    "home": [case(public())],
    "office_public": [case(public(), args=lambda w: [w.office.slug])],
    "healthz": [case(public())],
    "set_language": [case({"get": answers(everyone=redirect("home")), "post": {}})],
    "legal_page": [case(public(), args=lambda w: [LegalText.Kind.IMPRINT])],
    "office_legal_page": [case(public(), args=lambda w: [w.office.slug, LegalText.Kind.PRIVACY])],
    "groups:directory": [case(public())],
    "groups:founding_groups": [case(public())],
    "groups:founding_interest": [case(public())],
    "groups:thanks": [case(public())],
    "groups:print_directory": [case(public())],
    "groups:self_service": [
        case(public(), args=lambda w: [w.check_token]),
        case({"get": answers(everyone=GONE), "post": {}}, args=lambda w: ["unbekannt"]),
    ],
    "groups:referral_follow_up": [
        case(public(), args=lambda w: [w.follow_up_token]),
        case({"get": answers(everyone=GONE), "post": {}}, args=lambda w: ["unbekannt"]),
    ],
    "groups:public_group": [
        case(public(), args=lambda w: [w.group.slug]),
        # An unlisted group has no public page, not even for its own staff.
        case({"get": answers(everyone=NOT_FOUND), "post": {}}, args=lambda w: [w.unlisted.slug]),
    ],
    # The directory as HSDS 3.0 (read-only JSON): public groups only.
    "hsds:index": [case(public())],
    "hsds:openapi": [case(public())],
    "hsds:datapackage": [case(public())],
    "hsds:services": [case(public())],
    "hsds:service": [
        case(public(), args=lambda w: [hsds_ids.numbered("service", w.group.pk)]),
        case(
            {"get": answers(everyone=NOT_FOUND), "post": {}},
            args=lambda w: [hsds_ids.numbered("service", w.unlisted.pk)],
        ),
    ],
    "hsds:organizations": [case(public())],
    "hsds:organization": [
        case(public(), args=lambda w: [hsds_ids.numbered("organization", w.office.pk)])
    ],
    "hsds:taxonomies": [case(public())],
    "hsds:taxonomy": [case(public(), args=lambda w: [hsds.TAXONOMY_ID])],
    "hsds:taxonomy_terms": [case(public())],
    "hsds:taxonomy_term": [case(public(), args=lambda w: [hsds.topic_term_id("Trauer (Matrix)")])],
    "hsds:service_at_locations": [case(public())],
    # Listed without its meeting place: no service at a location.
    "hsds:service_at_location": [
        case(
            {"get": answers(everyone=NOT_FOUND), "post": {}},
            args=lambda w: [hsds_ids.numbered("service-at-location", w.group.pk)],
        )
    ],
    "groups:group_calendar": [
        case(public(), args=lambda w: [w.group.slug]),
        case({"get": answers(everyone=NOT_FOUND), "post": {}}, args=lambda w: [w.unlisted.slug]),
    ],
    # An office's directory in a frame; its groups only, the public ones only.
    "groups:embed_directory": [
        case(public(), args=lambda w: [w.office.slug]),
        case({"get": answers(everyone=NOT_FOUND), "post": {}}, args=lambda w: ["unbekannt"]),
    ],
    "groups:embed_thanks": [case(public(), args=lambda w: [w.office.slug])],
    "groups:embed_group": [
        case(public(), args=lambda w: [w.office.slug, w.group.slug]),
        case(
            {"get": answers(everyone=NOT_FOUND), "post": {}},
            args=lambda w: [w.office.slug, w.unlisted.slug],
        ),
        case(
            {"get": answers(everyone=NOT_FOUND), "post": {}},
            args=lambda w: [w.office.slug, w.other_group.slug],
        ),
    ],
    "starters:calendar_feed": [
        case(public(), args=lambda w: [w.calendar_token]),
        case({"get": answers(everyone=NOT_FOUND), "post": {}}, args=lambda w: ["unbekannt"]),
    ],
    # Accounts
    "login": [case({"get": answers(everyone=redirect("home_for_user"), anonymous=OK), "post": {}})],
    "logout": [case({"get": answers(everyone=NOT_ALLOWED, anonymous=LOGIN), "post": {}})],
    "accept_invitation": [
        case(public(), args=lambda w: [w.invitation_token]),
        case({"get": answers(everyone=GONE), "post": {}}, args=lambda w: ["unbekannt"]),
    ],
    "home_for_user": [case({"get": home_for_user, "post": {}})],
    "password_change": [case(signed_in(), data=empty)],
    "password_change_done": [case(signed_in())],
    "password_reset": [case(public())],
    "password_reset_done": [case(public())],
    "password_reset_confirm": [
        case(
            {
                "get": answers(
                    everyone=redirect(
                        lambda w: reverse(
                            "password_reset_confirm", args=[w.reset_uid, "set-password"]
                        )
                    )
                ),
                "post": {},
            },
            args=lambda w: [w.reset_uid, w.reset_token],
        )
    ],
    "password_reset_complete": [case(public())],
    # Two-factor login: without a pending step the code page sends one on.
    "two_factor_verify": [case(signed_in(redirect("home_for_user")), data=empty)],
    "two_factor_setup": [case(signed_in(), data=empty)],
    "two_factor_backup_codes": [case(signed_in(NOT_ALLOWED), data=empty)],
    "notifications": [case(signed_in())],
    # The office's staff area
    "dashboard": [case(office_page())],
    "audit_log": [case(office_page(admins_only=True))],
    "legal_texts": [case(office_page(admins_only=True))],
    "embedding": [
        case(
            office_page(admins_only=True),
            data=lambda w: {"embed_origins": "https://www.example.org"},
            acts="office_admin",
        )
    ],
    "legal_text_edit": [
        case(
            office_page(admins_only=True),
            args=lambda w: [LegalText.Kind.IMPRINT],
            data=lambda w: {"body": "Impressum der KISS Musterstadt"},
            acts="office_admin",
        )
    ],
    "statistics": [
        case(office_page()),
        case(office_object(), query=lambda w: f"site={w.site.pk}"),
    ],
    "site_detail": [case(office_object(), args=pk("site"))],
    "room_plan": [case(office_object(), args=pk("site"))],
    # Data protection: office admins for their office's people; staff withdraw consents.
    "privacy": [case(office_page(admins_only=True), data=visitor)],
    "privacy_account": [case(office_object(admins_only=True), args=pk("former_staff"))],
    "privacy_account_export": [
        case(
            office_object(NOT_ALLOWED, admins_only=True),
            args=pk("former_staff"),
            data=empty,
            acts="office_admin",
        )
    ],
    "privacy_account_erase": [
        case(
            office_object(admins_only=True),
            args=pk("former_staff"),
            data=empty,
            acts="office_admin",
        )
    ],
    "privacy_visitor_export": [
        case(office_page(NOT_ALLOWED, admins_only=True), data=visitor, acts="office_admin")
    ],
    "privacy_visitor_erase": [
        case(
            office_page(NOT_ALLOWED, admins_only=True),
            data=lambda w: visitor(w) | {"confirmed": "on"},
            acts="office_admin",
        )
    ],
    "consent_withdraw": [
        case(
            office_object(),
            args=lambda w: ["anfrage", w.inquiry.pk],
            data=empty,
            acts="staff",
        ),
        case(office_object(), args=lambda w: ["igs", w.profile.pk], data=empty),
    ],
    "groups:group_list": [case(office_page())],
    "groups:group_create": [case(office_page(), data=empty)],
    "groups:group_import": [case(office_page(), data=empty)],
    "groups:group_export": [case(office_page())],
    "groups:group_detail": [case(office_object(), args=pk("group"))],
    "groups:group_update": [case(office_object(), args=pk("group"), data=group_data, acts="staff")],
    "groups:group_close": [case(office_object(), args=pk("group"), data=empty, acts="staff")],
    "groups:group_schedule": [
        case(office_object(), args=pk("group"), data=pause_data, acts="staff")
    ],
    "groups:group_schedule_delete": [
        case(
            office_object(),
            args=lambda w: [w.group.pk, "pause", w.pause.pk],
            data=empty,
            acts="staff",
        )
    ],
    "groups:group_confirm": [
        case(office_page(NOT_ALLOWED), data=lambda w: {"groups": [w.group.pk]}, acts="staff")
    ],
    "groups:verification_queue": [case(office_page())],
    "groups:verification_review": [
        case(office_object(), args=pk("check"), data=lambda w: {"accepted": ["name"]}, acts="staff")
    ],
    "groups:group_call": [
        case(office_object(), args=pk("group"), data=lambda w: {"still_meets": "yes"}, acts="staff")
    ],
    "groups:inbox": [case(office_page())],
    "groups:inbox_action": [
        case(
            office_object(NOT_ALLOWED),
            args=lambda w: [w.inquiry.pk, "uebernehmen"],
            data=empty,
            acts="staff",
        )
    ],
    "groups:founding_exchange": [case(office_page())],
    "groups:network_request": [case(office_page(NOT_ALLOWED), data=empty)],
    "groups:founding_interest_create": [
        case(
            office_page(),
            data=lambda w: {
                "topic": "Tinnitus",
                "name": "Rolf",
                "phone": "0551 123",
                "postcode": "37081",
                "consent": "on",
            },
            acts="staff",
        )
    ],
    "groups:consultations": [case(office_page(), data=consultation_data, acts="staff")],
    "groups:consultation_correct": [
        case(office_object(), args=pk("consultation"), data=consultation_data, acts="staff")
    ],
    "groups:consultation_group_search": [case(office_page(), data=empty)],
    "groups:consultation_delete": [
        case(office_object(), args=pk("consultation"), data=empty, acts="staff")
    ],
    "groups:topic_list": [
        case(
            office_page(),
            data=lambda w: {
                "synonym-topic": Topic.objects.first().pk,
                "synonym-term": "Testbegriff",
            },
            acts="staff",
        )
    ],
    "groups:missed_searches": [
        case(
            office_page(),
            data=lambda w: {
                "query": "testbegriff",
                "topic": Topic.objects.first().pk,
                "term": "Testbegriff",
            },
            acts="staff",
        )
    ],
    "starters:starter_list": [case(office_page())],
    "starters:starter_create": [case(office_page(), data=empty)],
    "starters:starter_detail": [case(office_object(), args=pk("profile"))],
    "starters:starter_documents": [
        case(
            office_object(),
            args=pk("profile"),
            data=lambda w: {"record": "agreement", "agreement-signed_on": TODAY.isoformat()},
            acts="staff",
        )
    ],
    "starters:document_overview": [case(office_page())],
    "starters:document_rules": [
        case(
            office_page(admins_only=True),
            data=lambda w: {"agreement_renewal_years": 3, "police_certificate_renewal_years": 4},
            acts="office_admin",
        )
    ],
    "starters:starter_update": [
        case(office_object(), args=pk("profile"), data=starter_data, acts="staff")
    ],
    "starters:starter_invite": [
        case(office_object(NOT_ALLOWED), args=pk("invited"), data=empty, acts="staff")
    ],
    "starters:certificate_create": [
        case(office_object(), args=pk("profile"), data=period_data, acts="staff")
    ],
    "starters:certificate_detail": [case(office_object(), args=pk("certificate"))],
    "starters:certificate_sign": [
        case(office_object(NOT_ALLOWED), args=pk("certificate"), data=empty, acts="staff")
    ],
    "starters:training_overview": [
        case(office_page(), data=lambda w: {"name": "Leichte Sprache"}, acts="staff")
    ],
    "starters:cohort_create": [case(office_page(), data=empty)],
    "starters:cohort_detail": [
        case(
            office_object(),
            args=pk("cohort"),
            data=lambda w: {"starters": [w.other_profile.pk]},
            acts="staff",
        )
    ],
    "starters:cohort_update": [
        case(
            office_object(),
            args=pk("cohort"),
            data=lambda w: form_data(
                CohortForm(instance=w.cohort, office=w.office), name="Schulung umbenannt"
            ),
            acts="staff",
        )
    ],
    "starters:participation_complete": [
        case(
            office_object(NOT_ALLOWED),
            args=pk("participation"),
            data=lambda w: {"completed_on": TODAY.isoformat()},
            acts="staff",
        )
    ],
    "starters:participation_remove": [
        case(office_object(), args=pk("participation"), data=empty, acts="staff")
    ],
    "starters:event_create": [case(office_page(), data=empty)],
    "starters:event_detail": [
        case(
            office_object(),
            args=pk("event"),
            data=lambda w: {"starters": [w.profile.pk]},
            acts="staff",
        )
    ],
    "starters:event_update": [
        case(
            office_object(),
            args=pk("event"),
            data=lambda w: form_data(
                EventForm(instance=w.event, office=w.office), title="Austausch umbenannt"
            ),
            acts="staff",
        )
    ],
    "starters:accompaniment_list": [case(office_page())],
    "starters:accompaniment_create": [case(office_page(), data=empty)],
    "starters:accompaniment_from_inquiry": [
        case(office_object(NOT_ALLOWED), args=pk("inquiry"), data=empty, acts="staff")
    ],
    "starters:accompaniment_detail": [
        case(
            office_object(),
            args=pk("active"),
            data=lambda w: {"starter": w.other_profile.pk, "choice_reason": "Tandem"},
            acts="staff",
        )
    ],
    "starters:accompaniment_update": [
        case(
            office_object(),
            args=pk("offered"),
            data=lambda w: form_data(
                AccompanimentForm(instance=w.offered, office=w.office), requested_by="Jemand"
            ),
            acts="staff",
        )
    ],
    "starters:accompaniment_cancel": [
        case(
            office_object(),
            args=pk("active"),
            data=lambda w: {"reason": "Die Gruppe hat abgesagt."},
            acts="staff",
        )
    ],
    "starters:accompaniment_action": [
        case(
            office_object(NOT_ALLOWED),
            args=lambda w: [w.active.pk, "complete"],
            data=lambda w: {"outcome": "continues", "completed_on": TODAY.isoformat()},
            acts="staff",
        ),
        case(
            office_object(NOT_ALLOWED),
            args=lambda w: [w.active.pk, "talk-done"],
            data=lambda w: {"log": w.log.pk},
            acts="staff",
        ),
    ],
    "starters:log_edit": [case(meeting_log(), args=pk("log"), data=log_data, acts="staff")],
    # The starter's own area
    "starters:home": [case(own_area())],
    "starters:own_profile": [case(own_area(), data=profile_data, acts="starter")],
    "starters:own_certificates": [case(own_area(), data=period_data, acts="starter")],
    "starters:own_offer": [
        case(own_object(), args=pk("offer"), data=lambda w: {"answer": "accept"}, acts="starter")
    ],
    "starters:own_certificate": [case(own_object(), args=pk("certificate"))],
    "starters:own_log_create": [
        case(own_object(), args=pk("assignment"), data=new_log_data, acts="starter")
    ],
    "starters:own_meeting_ics": [
        case(own_object(), args=lambda w: [w.assignment.pk, w.log.held_on.isoformat()])
    ],
    "starters:own_log_edit": [case(meeting_log(), args=pk("log"), data=log_data, acts="starter")],
    # The volunteers' app: a log kept on the phone, sent later (JSON); its shell is public.
    "starters:own_log_sync": [
        case(own_object(), args=pk("assignment"), data=new_log_data, acts="starter")
    ],
    "starters:app_manifest": [case(public())],
    "starters:service_worker": [case(public())],
    "starters:offline": [case(public())],
    "starters:own_calendar": [case(own_area(), data=lambda w: {"action": "new"}, acts="starter")],
    "starters:own_travel": [case(own_area())],
    "starters:own_travel_claim": [case(own_area(), args=lambda w: [TODAY.year, TODAY.month])],
    "starters:own_hours_csv": [case(own_area(), args=lambda w: [TODAY.year])],
    "starters:starter_travel_claim": [
        case(office_object(), args=lambda w: [w.profile.pk, TODAY.year, TODAY.month])
    ],
    "starters:starter_hours_csv": [
        case(office_object(), args=lambda w: [w.profile.pk, TODAY.year])
    ],
    # Applications as In-Gang-Setzer:in
    "starters:apply": [case(public())],
    "starters:office_apply": [case(public(), args=lambda w: [w.office.slug])],
    "starters:apply_thanks": [case(public())],
    "starters:application_list": [case(office_page())],
    "starters:application_detail": [case(office_object(), args=pk("application"))],
    "starters:application_reject": [
        case(
            office_object(),
            args=pk("application"),
            data=lambda w: {"reason": "Passt gerade nicht."},
            acts="staff",
        )
    ],
    "starters:application_step": [
        case(
            office_object(NOT_ALLOWED),
            args=lambda w: [w.application.pk, "gespraech"],
            data=lambda w: {"interview_at": f"{(TODAY + 7 * DAY).isoformat()}T17:00"},
            acts="staff",
        )
    ],
    "starters:application_texts": [case(office_page())],
    "starters:application_text_edit": [
        case(
            office_page(),
            args=lambda w: ["applied"],
            data=lambda w: {"subject": "Danke", "body": "Hallo {name}"},
            acts="staff",
        )
    ],
    "notification_settings": [case(signed_in(), data=empty)],
    # The coordinators' area
    "network_overview": [case(only("coordinator"))],
    # The Django admin (office admins: users, sites and rooms of their own office)
    "admin:index": [case(admin())],
    "admin:login": [
        case(
            {
                "get": answers(
                    everyone=OK,
                    office_admin=redirect("admin:index"),
                    other_office_admin=redirect("admin:index"),
                ),
                "post": {},
            }
        )
    ],
    "admin:logout": [
        case(
            {
                "get": answers(
                    anonymous=ADMIN_LOGIN,
                    non_admins=redirect("admin:index"),
                    office_admin=NOT_ALLOWED,
                    other_office_admin=NOT_ALLOWED,
                ),
                "post": {},
            }
        )
    ],
    "admin:password_change": [case(admin(), data=empty)],
    "admin:password_change_done": [case(admin())],
    # No model admin has autocomplete fields: a request names none and is refused.
    "admin:autocomplete": [case(admin(FORBIDDEN))],
    "admin:jsi18n": [case(admin())],
    "admin:view_on_site": [
        case(
            admin(redirect(lambda w: w.site.get_absolute_url()), NOT_FOUND),
            args=lambda w: [w.site_type.pk, w.site.pk],
        )
    ],
    "admin:app_list": [
        case(admin(), args=lambda w: ["kontaktstelle"]),
        # Office admins hold no Django model permissions: the auth app is not theirs.
        case(admin(NOT_FOUND), args=lambda w: ["auth"]),
    ],
    **admin_model("kontaktstelle", "site", pk("site")),
    **admin_model("kontaktstelle", "room", pk("room")),
    **admin_model("kontaktstelle", "user", pk("former_staff")),
    **admin_model("kontaktstelle", "office", pk("office"), add=FORBIDDEN, delete=FORBIDDEN),
    **admin_model_not_theirs("kontaktstelle", "network", pk("network")),
    # The whole trail is for platform operators; office admins have audit_log.
    **admin_model_not_theirs("kontaktstelle", "auditentry", pk("audit_entry")),
    **admin_model_not_theirs("auth", "group", pk("auth_group")),
    **admin_model_not_theirs("axes", "accessattempt", pk("access_attempt")),
    **admin_model_not_theirs("axes", "accesslog", pk("access_log")),
    **admin_model_not_theirs("axes", "accessfailurelog", pk("access_failure")),
    **admin_model_not_theirs("otp_totp", "totpdevice", pk("totp_device")),
    **admin_model_not_theirs("otp_static", "staticdevice", pk("static_device")),
    # The authenticator's secret is never shown in the admin (OTP_ADMIN_HIDE_SENSITIVE_DATA).
    "admin:otp_totp_totpdevice_config": [
        case(admin(FORBIDDEN, anonymous=LOGIN), args=pk("totp_device"))
    ],
    "admin:otp_totp_totpdevice_qrcode": [
        case(admin(FORBIDDEN, anonymous=LOGIN), args=pk("totp_device"))
    ],
    # Any other address under the admin: its login first, then 404.
    "intern/admin/(?P<url>.*)$": [
        case(admin(NOT_FOUND), url=lambda w: "/intern/admin/gibt-es-nicht/")
    ],
    "admin:auth_user_password_change": [
        case(admin(OK, NOT_FOUND, anonymous=LOGIN), args=pk("former_staff"), data=empty)
    ],
}

# Requests ------------------------------------------------------------------------------


def url_patterns(patterns=None, namespace="", prefix=""):
    """(full name, route) of every URL pattern, through includes and namespaces."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace]))
            yield from url_patterns(entry.url_patterns, inner, route)
        else:
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            yield name, route


def snapshot():
    """Every row of every table but the sessions', to tell whether a request changed any."""
    state = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table != Session._meta.db_table:
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
                state[table] = cursor.fetchall()
    return state


def changed_tables(before, after):
    return sorted(table for table in before if before[table] != after[table])


@contextmanager
def rolled_back():
    """Whatever a request writes is undone, so every request meets the same world."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def describe(response):
    if response.status_code in (301, 302):
        return f"{response.status_code} -> {response['Location']}"
    return str(response.status_code)


def mismatch(response, answer, path, world):
    """None when the response is the expected answer, else what came instead."""
    if response.status_code != answer.status:
        return describe(response)
    if answer.to:
        location = urlsplit(response["Location"])
        expected_query = {"next": [path]} if answer.with_next else {}
        if location.path != answer.location(world) or parse_qs(location.query) != expected_query:
            return describe(response)
    return None


def send(client, method, path, data=None):
    try:
        return getattr(client, method)(path, data or {}), None
    except Exception as error:  # a crash is a mismatch of this URL, not of the whole role
        return None, f"{type(error).__name__}: {error}"


def check_get(client, name, index, case_, persona, world):
    path = case_.path(name, world)
    answer = case_.get[persona]
    with rolled_back():
        response, error = send(client, "get", path)
        actual = error or mismatch(response, answer, path, world)
    return actual and f"GET {path} ({name}#{index}) as {persona}: expected {answer}, got {actual}"


def check_post(client, name, index, case_, persona, world, before):
    """A wrong party's POST is refused and changes nothing of ``before``."""
    path = case_.path(name, world)
    answer = case_.post[persona]
    with rolled_back():
        response, error = send(client, "post", path, case_.data(world))
        actual = error or mismatch(response, answer, path, world)
        changed = [] if error else changed_tables(before, snapshot())
    if changed:
        actual = f"{actual or answer} and changed {', '.join(changed)}"
    return actual and f"POST {path} ({name}#{index}) as {persona}: expected {answer}, got {actual}"


def all_cases():
    for name, cases in MATRIX.items():
        for index, case_ in enumerate(cases):
            yield name, index, case_


def login(client, world, persona):
    if persona != ANONYMOUS:
        client.force_login(world.users[persona])


# Tests ---------------------------------------------------------------------------------


def test_every_url_pattern_is_in_the_matrix():
    """An unnamed pattern (the admin makes a few) has its route as its key."""
    routes = {name or route: route for name, route in url_patterns()}
    missing = sorted(f"{name} ({routes[name]})" for name in set(routes) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(routes))
    assert not missing, f"URLs without an entry in MATRIX: {missing}"
    assert not stale, f"MATRIX entries for URLs that no longer exist: {stale}"


def test_every_view_that_takes_a_post_is_posted_by_the_wrong_parties(world):
    """A class-based view with a ``post`` handler needs a body in its case."""
    missing = []
    for name, index, case_ in all_cases():
        view_class = getattr(
            resolve(case_.path(name, world).split("?")[0]).func, "view_class", None
        )
        takes_post = view_class is not None and hasattr(view_class, "post")
        if takes_post and case_.post and case_.data is None:
            missing.append(f"{name}#{index}")
    assert not missing, f"Views with a POST handler but no POST in the matrix: {missing}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_access_matrix(client, world, persona):
    login(client, world, persona)
    before = snapshot()  # every request is rolled back: the world stays as it is
    failures = []
    for name, index, case_ in all_cases():
        failures.append(check_get(client, name, index, case_, persona, world))
        posts = case_.data and persona in case_.post
        if posts:
            failures.append(check_post(client, name, index, case_, persona, world, before))
    failures = [failure for failure in failures if failure]
    assert not failures, f"{len(failures)} mismatches:\n" + "\n".join(failures)


def test_post_bodies_act_for_the_rightful_persona(client, world):
    """The bodies the wrong parties send change something when the rightful persona
    sends them: so "nothing changed" after a wrong party's POST means it was refused."""
    before = snapshot()
    failures = []
    for name, index, case_ in all_cases():
        if not case_.acts:
            continue
        login(client, world, case_.acts)
        path = case_.path(name, world)
        with rolled_back():
            response, error = send(client, "post", path, case_.data(world))
            changed = [] if error else changed_tables(before, snapshot())
        if error or response.status_code >= 400 or not changed:
            failures.append(
                f"POST {path} ({name}#{index}) as {case_.acts}: "
                f"{error or describe(response)}, changed {changed or 'nothing'}"
            )
    assert not failures, "\n".join(failures)


# Nested ids and lists of ids -----------------------------------------------------------


def action_url(accompaniment, action):
    return reverse("starters:accompaniment_action", args=[accompaniment.pk, action])


def test_an_id_under_another_accompaniment_answers_404(client, world):
    """The offer belongs to ``offered``, the log to ``active``: never the other way round."""
    client.force_login(world.users["staff"])
    offer, log = world.offer, world.log
    withdraw = client.post(action_url(world.active, "withdraw"), {"assignment": offer.pk})
    talk_done = client.post(action_url(world.offered, "talk-done"), {"log": log.pk})
    assert (withdraw.status_code, talk_done.status_code) == (404, 404)
    offer.refresh_from_db()
    log.refresh_from_db()
    assert offer.state == Assignment.State.OFFERED
    assert log.talk_done_at is None

    client.post(action_url(world.offered, "withdraw"), {"assignment": offer.pk})
    client.post(action_url(world.active, "talk-done"), {"log": log.pk})
    offer.refresh_from_db()
    log.refresh_from_db()
    assert offer.state == Assignment.State.WITHDRAWN
    assert log.talk_done_at is not None


def test_a_meeting_of_another_accompaniment_is_not_the_starters(client, world, staff):
    """The calendar file and the log form take the assignment's own meetings only."""
    other_group = GroupFactory(
        office=world.office, name="Gruppe des anderen", topics=[TopicFactory()]
    )
    elsewhere = make_accompaniment(world.office, staff, other_group, started_on=TODAY - 30 * DAY)
    other_assignment = services.offer(staff, elsewhere, world.other_profile)
    services.answer_offer(world.other_profile, other_assignment, accept=True)
    held_on = TODAY - 3 * DAY  # never the active accompaniment's next meeting
    MeetingLog.objects.create(
        accompaniment=elsewhere,
        held_on=held_on,
        starts_at=datetime.time(17),
        duration_minutes=60,
        participants=5,
        logged_by=world.users["other_starter"],
    )
    client.force_login(world.users["starter"])

    def ics(assignment, day):
        url = reverse("starters:own_meeting_ics", args=[assignment.pk, day.isoformat()])
        return client.get(url).status_code

    assert ics(world.assignment, held_on) == 404
    assert ics(other_assignment, held_on) == 404
    assert ics(world.offer, world.log.held_on) == 404  # an offer not accepted yet
    assert ics(world.assignment, world.log.held_on) == 200
    log_create = reverse("starters:own_log_create", args=[world.offer.pk])
    assert client.get(log_create).status_code == 404
    assert client.post(log_create, new_log_data(world)).status_code == 404
    assert not MeetingLog.objects.filter(held_on=TODAY).exists()


def test_lists_of_starters_with_another_offices_starter_are_refused(client, world):
    client.force_login(world.users["staff"])
    foreign = world.foreign_profile
    cohort = reverse("starters:cohort_detail", args=[world.cohort.pk])
    event = reverse("starters:event_detail", args=[world.event.pk])

    assert (
        client.post(cohort, {"starters": [world.other_profile.pk, foreign.pk]}).status_code == 200
    )
    assert client.post(event, {"starters": [world.profile.pk, foreign.pk]}).status_code == 200
    assert (
        not CohortParticipation.objects.filter(cohort=world.cohort)
        .exclude(pk=world.participation.pk)
        .exists()
    )
    assert not Attendance.objects.exists()

    assert client.post(cohort, {"starters": [world.other_profile.pk]}).status_code == 302
    assert client.post(event, {"starters": [world.profile.pk]}).status_code == 302
    assert world.cohort.participations.filter(starter=world.other_profile).exists()
    assert Attendance.objects.filter(event=world.event, starter=world.profile).exists()


def test_an_offer_to_another_offices_starter_is_refused(client, world):
    client.force_login(world.users["staff"])
    url = reverse("starters:accompaniment_detail", args=[world.active.pk])
    response = client.post(url, {"starter": world.foreign_profile.pk, "choice_reason": "Tandem"})
    assert response.status_code == 200
    assert not Assignment.objects.filter(starter=world.foreign_profile).exists()


def test_sites_and_qualifications_of_another_office_are_refused(client, world):
    """Every list of ids on a profile or a training is checked against the office."""
    profile, foreign_site = world.profile, world.other_site
    foreign_qualification = world.foreign_qualification
    client.force_login(world.users["staff"])
    update = reverse("starters:starter_update", args=[profile.pk])
    founding = Qualification.objects.get(code=Qualification.Code.FOUNDING)
    for override in (
        {"sites": [world.site.pk, foreign_site.pk]},
        {"qualifications": [founding.pk, foreign_qualification.pk]},
    ):
        assert client.post(update, starter_data(world) | override).status_code == 200
    cohort = form_data(CohortForm(office=world.office), name="Neue Schulung")
    cohort |= {"starts_on": TODAY.isoformat(), "ends_on": TODAY.isoformat(), "hours": "40"}
    cohort_create = reverse("starters:cohort_create")
    response = client.post(cohort_create, cohort | {"grants": [foreign_qualification.pk]})
    assert response.status_code == 200
    client.force_login(world.users["starter"])
    own = reverse("starters:own_profile")
    assert client.post(own, profile_data(world) | {"sites": [foreign_site.pk]}).status_code == 200

    profile.refresh_from_db()
    assert list(profile.sites.all()) == []
    assert foreign_qualification not in profile.qualifications.all()
    assert profile.phone == "0123 456789"
    assert not TrainingCohort.objects.filter(name="Neue Schulung").exists()

    client.force_login(world.users["staff"])
    assert client.post(update, starter_data(world) | {"sites": [world.site.pk]}).status_code == 302
    assert client.post(cohort_create, cohort).status_code == 302
    assert list(profile.sites.all()) == [world.site]
    assert TrainingCohort.objects.filter(name="Neue Schulung").exists()


def test_groups_rooms_and_needs_of_another_office_are_refused(client, world):
    client.force_login(world.users["staff"])
    create = reverse("starters:accompaniment_create")
    request = {
        "group": world.group.pk,
        "kind": Accompaniment.Kind.FOUNDING,
        "requested_by": "Gründerin",
        "requested_on": TODAY.isoformat(),
        "meeting_weekday": "1",
        "meeting_time": "19:00",
        "planned_meetings": "6",
        "responsible": world.users["staff"].pk,
    }
    count = Accompaniment.objects.count()
    assert client.post(create, request | {"group": world.other_group.pk}).status_code == 200
    assert (
        client.post(create, request | {"needs": [world.foreign_qualification.pk]}).status_code
        == 200
    )
    group_update = reverse("groups:group_update", args=[world.group.pk])
    room = group_data(world) | {"room": world.other_room.pk, "street": "", "city": ""}
    assert client.post(group_update, room).status_code == 200
    world.group.refresh_from_db()
    assert world.group.room is None
    assert Accompaniment.objects.count() == count

    assert client.post(create, request).status_code == 302
    assert Accompaniment.objects.count() == count + 1


def test_referrals_to_another_offices_groups_are_refused(client, world):
    client.force_login(world.users["staff"])
    url = reverse("groups:consultations")
    count = Consultation.objects.count()
    referral = consultation_data(world) | {
        "referred_groups": [world.group.pk, world.other_group.pk]
    }
    del referral["information_only"]
    assert client.post(url, referral).status_code == 200
    assert Consultation.objects.count() == count

    referral["referred_groups"] = [world.group.pk]
    assert client.post(url, referral).status_code == 302
    assert Consultation.objects.count() == count + 1


def test_an_inquiry_of_another_office_is_ignored(client, world):
    """``inquiry`` and ``group`` in a query or a form never reach another office's."""
    client.force_login(world.users["staff"])
    consultations = reverse("groups:consultations")
    foreign, own = world.other_inquiry, world.inquiry
    assert client.get(consultations, {"inquiry": foreign.pk}).context["inquiry"] is None
    assert client.get(consultations, {"inquiry": own.pk}).context["inquiry"] == own
    body = consultation_data(world) | {"inquiry": foreign.pk}
    assert client.post(consultations, body).status_code == 302
    assert not Consultation.objects.filter(inquiry=foreign).exists()

    create = reverse("starters:accompaniment_create")
    query = {"group": world.other_group.pk, "inquiry": foreign.pk}
    assert "group" not in client.get(create, query).context["form"].initial
    assert (
        client.get(create, {"group": world.group.pk}).context["form"].initial["group"]
        == world.group
    )
    body = {
        "group": world.group.pk,
        "kind": Accompaniment.Kind.FOUNDING,
        "requested_by": "Gründerin",
        "requested_on": TODAY.isoformat(),
        "planned_meetings": "6",
        "responsible": world.users["staff"].pk,
    }
    assert client.post(f"{create}?inquiry={foreign.pk}", body).status_code == 302
    assert client.post(f"{create}?inquiry={own.pk}", body).status_code == 302
    assert list(
        Accompaniment.objects.filter(inquiry__isnull=False).values_list("inquiry", flat=True)
    ) == [own.pk]


def test_another_offices_admin_finds_none_of_our_visitors_data(client, world):
    """The visitor export and erasure look only in the admin's own office."""
    export = reverse("privacy_visitor_export")
    erase = reverse("privacy_visitor_erase")
    inquiry = world.inquiry
    client.force_login(world.users["other_office_admin"])
    response = client.post(export, visitor(world))
    assert response.status_code == 200
    assert inquiry.name not in response.content.decode()
    client.post(erase, visitor(world) | {"confirmed": "on"})
    inquiry.refresh_from_db()
    assert inquiry.name == "Sabine Interessiert"

    client.force_login(world.users["office_admin"])
    assert inquiry.name in client.post(export, visitor(world)).content.decode()
    client.post(erase, visitor(world) | {"confirmed": "on"})
    inquiry.refresh_from_db()
    assert inquiry.name != "Sabine Interessiert"
