"""Applications as In-Gang-Setzer:in: the pipeline's rules (in the services and in the
database), the e-mail of each step through the outbox, retention, and the pages."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kontaktstelle.accounts.models import Invitation, Membership, User
from kontaktstelle.demo.applications import seed_applications
from kontaktstelle.notifications import outbox
from kontaktstelle.notifications.models import OutgoingEmail
from kontaktstelle.privacy import people
from kontaktstelle.privacy.registry import registry_problems
from kontaktstelle.privacy.retention import apply_retention
from starters import application_emails
from starters.models import (
    ApplicationEmailText,
    CohortParticipation,
    Qualification,
    Starter,
    VolunteerApplication,
)
from starters.services import StarterError
from starters.services import applications as services
from tests.factories import StarterFactory, TrainingCohortFactory, member
from tests.starters.test_accompaniments import at_once, needs_postgresql, split

pytestmark = pytest.mark.django_db
Status = VolunteerApplication.Status
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
NEXT_WEEK = timezone.now().replace(microsecond=0) + 7 * DAY


def application(office, **fields):
    values = {
        "name": "Bea Bewerberin",
        "email": "bea@example.net",
        "phone": "0170 1234567",
        "town": "Musterstadt-Nord",
        "availability": "dienstags abends",
        "motivation": "Ich habe lange eine Gesprächsgruppe geleitet.",
        "consent_at": timezone.now(),
        "consent_text": "Ich bin einverstanden …",
    }
    return VolunteerApplication.objects.create(office=office, **(values | fields))


@pytest.fixture
def cohort(office):
    """A cohort running now: applicants can join it."""
    cohort = TrainingCohortFactory(
        office=office, name="Grundschulung Herbst", starts_on=TODAY - 10 * DAY, ends_on=TODAY
    )
    cohort.grants.set(Qualification.objects.filter(code=Qualification.Code.FOUNDING))
    return cohort


@pytest.fixture
def mails(django_capture_on_commit_callbacks, mailoutbox):
    """Run the commit hooks of each call, as a request would; the sent e-mails."""

    class Mails(list):
        def __call__(self, function, *args, **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return function(*args, **kwargs)

    sent = Mails()
    sent.outbox = mailoutbox
    return sent


def to_training(staff, app, cohort, run=lambda f, *a: f(*a)):
    run(services.arrange_interview, staff, app, NEXT_WEEK)
    return run(services.start_training, staff, app, cohort)


def uri(path):
    return "https://kontaktstelle.example" + path


# The database guards the steps -------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "hired"},
        {"status": Status.REJECTED, "closed_at": timezone.now()},  # without a reason
        {"status": Status.REJECTED, "rejection_reason": "Passt nicht"},  # without closing
        {"closed_at": timezone.now()},  # an open one closed
        {"status": Status.INTERVIEW},  # without a date
        {"status": Status.TRAINING, "interview_at": NEXT_WEEK},  # without a cohort
    ],
)
def test_the_database_refuses_a_step_without_what_it_needs(office, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        application(office, **fields)


def test_the_database_refuses_an_active_application_without_a_starter_and_vice_versa(
    office, cohort, starter
):
    steps = {
        "interview_at": NEXT_WEEK,
        "interview_arranged_at": timezone.now(),
        "cohort": cohort,
        "training_started_at": timezone.now(),
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        application(office, status=Status.ACTIVE, closed_at=timezone.now(), **steps)
    with pytest.raises(IntegrityError), transaction.atomic():
        application(office, status=Status.TRAINING, starter=starter.starter, **steps)
    application(
        office, status=Status.ACTIVE, closed_at=timezone.now(), starter=starter.starter, **steps
    )


# The pipeline ------------------------------------------------------------------------


def test_the_whole_pipeline_creates_the_starter_and_sends_each_steps_email(
    office, staff, cohort, mails
):
    app = application(office)

    mails(services.arrange_interview, staff, app, NEXT_WEEK)
    mails(services.start_training, staff, app, cohort)
    mails(services.activate, staff, app, uri)

    app.refresh_from_db()
    assert app.status == Status.ACTIVE
    assert app.interview_arranged_at and app.training_started_at and app.closed_at
    starter = app.starter
    assert (starter.office, starter.name, starter.email) == (office, app.name, app.email)
    assert (starter.phone, starter.towns, starter.status) == (
        "0170 1234567",
        "Musterstadt-Nord",
        Starter.Status.ACTIVE,
    )
    assert "dienstags abends" in starter.notes
    assert Membership.objects.get(user=starter.user).role == Membership.Role.STARTER
    assert not starter.user.has_usable_password()
    participation = CohortParticipation.objects.get(starter=starter)
    assert (participation.cohort, participation.completed_on) == (cohort, cohort.ends_on)
    assert starter.qualifications.filter(code=Qualification.Code.FOUNDING).exists()
    assert Invitation.objects.filter(user=starter.user).usable().count() == 1

    subjects = [message.subject for message in mails.outbox]
    assert subjects == [
        f"Ihr Gespräch bei uns am {application_emails.values_for(app)['interview']}",
        "Ihre Schulung als In-Gang-Setzer:in",
        "Willkommen als In-Gang-Setzer:in",
        f"Ihr Zugang zur {office.name}",  # the existing invitation
    ]
    assert all(message.to == ["bea@example.net"] for message in mails.outbox)
    assert "„Grundschulung Herbst“" in mails.outbox[1].body
    assert "/einladung/" in mails.outbox[3].body
    assert not OutgoingEmail.objects.exists()


def test_the_application_is_confirmed_by_email_with_the_offices_own_text(client, office, mails):
    ApplicationEmailText.objects.create(
        office=office,
        step=Status.APPLIED,
        subject="Danke, {name}!",
        body="Hallo {name}, {office} meldet sich. {unbekannt} bleibt.",
    )
    response = mails(client.post, reverse("starters:office_apply", args=[office.slug]), form_data())
    assert response.status_code == 302
    (message,) = mails.outbox
    assert message.subject == "Danke, Bea Bewerberin!"
    assert message.body == "Hallo Bea Bewerberin, KISS Musterstadt meldet sich. {unbekannt} bleibt."


@pytest.mark.parametrize(
    ("moves", "step", "message"),
    [
        ([], "training", "„in Schulung“ folgt auf „Gespräch vereinbart“"),
        ([], "active", "„aktiv“ folgt auf „in Schulung“"),
        (["interview"], "interview", "„Gespräch vereinbart“ folgt auf „beworben“"),
        (["interview"], "active", "„aktiv“ folgt auf „in Schulung“"),
        (["reject"], "interview", "Diese Bewerbung wurde abgesagt."),
        (["reject"], "reject", "Nur eine offene Bewerbung kann abgesagt werden."),
        (["interview", "training", "active"], "reject", "Nur eine offene Bewerbung"),
        (["interview", "training", "active"], "active", "bereits aktive:r In-Gang-Setzer:in"),
    ],
)
def test_a_move_out_of_order_is_refused_and_changes_nothing(
    office, staff, cohort, mails, moves, step, message
):
    app = application(office)
    do = {
        "interview": lambda: services.arrange_interview(staff, app, NEXT_WEEK),
        "training": lambda: services.start_training(staff, app, cohort),
        "active": lambda: services.activate(staff, app, uri),
        "reject": lambda: services.reject(staff, app, "Passt nicht"),
    }
    for move in moves:
        mails(do[move])
    app.refresh_from_db()
    before = (VolunteerApplication.objects.values().get(pk=app.pk), len(mails.outbox))
    starters = Starter.objects.count()

    with pytest.raises(StarterError, match=message):
        mails(do[step])

    assert (VolunteerApplication.objects.values().get(pk=app.pk), len(mails.outbox)) == before
    assert Starter.objects.count() == starters


def test_training_needs_a_cohort_of_the_office_that_has_not_ended(
    office, other_office, staff, mails
):
    app = application(office)
    mails(services.arrange_interview, staff, app, NEXT_WEEK)
    foreign = TrainingCohortFactory(office=other_office, starts_on=TODAY, ends_on=TODAY + DAY)
    ended = TrainingCohortFactory(office=office, starts_on=TODAY - 9 * DAY, ends_on=TODAY - DAY)

    with pytest.raises(StarterError, match="Nur ein Schulungsdurchgang Ihrer Kontaktstelle"):
        services.start_training(staff, app, foreign)
    with pytest.raises(StarterError, match="bereits zu Ende"):
        services.start_training(staff, app, ended)
    app.refresh_from_db()
    assert (app.status, app.cohort) == (Status.INTERVIEW, None)


def test_another_offices_staff_cannot_move_an_application(office, other_staff, mails):
    app = application(office)
    with pytest.raises(VolunteerApplication.DoesNotExist):
        services.arrange_interview(other_staff, app, NEXT_WEEK)
    with pytest.raises(VolunteerApplication.DoesNotExist):
        services.reject(other_staff, app, "Fremd")
    app.refresh_from_db()
    assert app.status == Status.APPLIED


def test_activation_waits_for_the_end_of_the_training(office, staff, mails):
    running = TrainingCohortFactory(office=office, starts_on=TODAY - DAY, ends_on=TODAY + 5 * DAY)
    app = application(office)
    to_training(staff, app, running, mails)

    with pytest.raises(StarterError, match="dauert bis"):
        services.activate(staff, app, uri)
    assert not Starter.objects.filter(user__email=app.email).exists()
    assert not User.objects.filter(email=app.email).exists()


def test_activation_links_the_offices_existing_profile_without_a_second_invitation(
    office, staff, starter, cohort, mails
):
    app = application(office, email="IGS@example.org")  # the starter persona, other case
    to_training(staff, app, cohort, mails)
    sent = len(mails.outbox)

    mails(services.activate, staff, app, uri)

    app.refresh_from_db()
    assert app.starter == starter.starter
    assert User.objects.filter(email__iexact="igs@example.org").count() == 1
    # They have a password already: only the step's e-mail, no invitation.
    assert [m.subject for m in mails.outbox[sent:]] == ["Willkommen als In-Gang-Setzer:in"]


def test_activation_refuses_an_account_of_another_role_or_office(
    office, staff, other_staff, cohort, mails
):
    app = application(office, email=other_staff.email)
    to_training(staff, app, cohort, mails)
    with pytest.raises(StarterError, match="nicht von einer:einem In-Gang-Setzer:in"):
        services.activate(staff, app, uri)
    app.refresh_from_db()
    assert app.status == Status.TRAINING


def test_declining_needs_a_reason_and_tells_the_applicant(office, staff, mails):
    app = application(office)
    with pytest.raises(StarterError, match="Bitte geben Sie einen Grund"):
        services.reject(staff, app, "   ")
    assert mails.outbox == []

    mails(services.reject, staff, app, "Keine Zeit für die Schulung")

    app.refresh_from_db()
    assert (app.status, app.rejection_reason) == (Status.REJECTED, "Keine Zeit für die Schulung")
    (message,) = mails.outbox
    assert message.subject == "Ihre Bewerbung als In-Gang-Setzer:in"
    assert "Keine Zeit" not in message.body  # the reason is for the office's record


def test_a_steps_email_waits_in_the_outbox_while_the_mail_server_is_down(
    office, staff, mails, monkeypatch
):
    app = application(office)

    def down(*args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr(outbox, "send_mail", down)
    mails(services.arrange_interview, staff, app, NEXT_WEEK)
    waiting = OutgoingEmail.objects.get()
    assert waiting.recipient == "bea@example.net"
    assert waiting.subject.startswith("Ihr Gespräch bei uns am")

    monkeypatch.undo()
    assert outbox.send_pending() == 1
    assert [m.subject for m in mails.outbox] == [waiting.subject]


def test_the_email_texts_only_know_their_placeholders():
    assert application_emails.unknown_placeholders("{name} {office} {name.__class__} {x}") == ["x"]
    values = {"name": "Bea"}
    assert application_emails.fill("{name} {name.__class__} {office}", values) == (
        "Bea {name.__class__} {office}"
    )
    for step in Status:
        subject, body = application_emails.default_text(step)
        assert not application_emails.unknown_placeholders(subject + body)


# Retention ---------------------------------------------------------------------------


def backdate(app, days, **fields):
    moment = timezone.now() - days * DAY
    VolunteerApplication.objects.filter(pk=app.pk).update(
        **{name: moment for name in fields.get("at", ["created_at"])}
    )


def test_applications_not_accepted_are_erased_after_the_retention_period(
    office, staff, cohort, mails, settings
):
    settings.RETENTION_DAYS = settings.RETENTION_DAYS | {"application": 183}
    declined_long_ago = application(office, email="a@example.net")
    mails(services.reject, staff, declined_long_ago, "Passt nicht")
    backdate(declined_long_ago, 184, at=["closed_at"])
    declined_recently = application(office, email="b@example.net")
    mails(services.reject, staff, declined_recently, "Passt nicht")
    backdate(declined_recently, 182, at=["closed_at"])
    forgotten = application(office, email="c@example.net")
    backdate(forgotten, 184)
    waiting = application(office, email="d@example.net")
    backdate(waiting, 100)
    interview_long_ago = application(office, email="e@example.net")
    mails(services.arrange_interview, staff, interview_long_ago, NEXT_WEEK)
    backdate(interview_long_ago, 200, at=["created_at", "interview_arranged_at"])
    old_cohort = TrainingCohortFactory(
        office=office, starts_on=TODAY - 260 * DAY, ends_on=TODAY - 190 * DAY
    )
    trained_never_active = application(office, email="f@example.net")
    mails(services.arrange_interview, staff, trained_never_active, NEXT_WEEK)
    VolunteerApplication.objects.filter(pk=trained_never_active.pk).update(
        status=Status.TRAINING, cohort=old_cohort, training_started_at=timezone.now()
    )
    in_training = application(office, email="g@example.net")
    to_training(staff, in_training, cohort, mails)
    backdate(in_training, 400, at=["created_at", "interview_arranged_at"])
    accepted = application(office, email="h@example.net")
    to_training(staff, accepted, cohort, mails)
    mails(services.activate, staff, accepted, uri)
    backdate(accepted, 1000, at=["created_at", "interview_arranged_at", "closed_at"])

    call_command("apply_retention", stdout=open("/dev/null", "w"))  # noqa: SIM115

    kept = set(VolunteerApplication.objects.values_list("email", flat=True))
    assert kept == {"b@example.net", "d@example.net", "g@example.net", "h@example.net"}
    # Again: nothing left to do.
    results = dict((rule.apply.__name__, count) for rule, count in apply_retention())
    assert results["applications"] == 0


def test_the_retention_period_is_a_setting(office, staff, mails, settings):
    declined = application(office)
    mails(services.reject, staff, declined, "Passt nicht")
    backdate(declined, 40, at=["closed_at"])
    settings.RETENTION_DAYS = settings.RETENTION_DAYS | {"application": 30}
    declined.refresh_from_db()
    assert declined.erased_after.date() == (declined.closed_at + 30 * DAY).date()
    apply_retention()
    assert not VolunteerApplication.objects.exists()


# Privacy ------------------------------------------------------------------------------


def test_the_registry_covers_the_new_models():
    assert registry_problems([VolunteerApplication, ApplicationEmailText]) == []


def test_an_applicant_is_found_and_erased_by_their_email_address(office, office_admin):
    app = application(office)
    other = application(office, email="someone@example.net")
    person = people.find_person(office, "BEA@example.net")
    exported = people.export(person)
    assert "Ich habe lange eine Gesprächsgruppe geleitet." in str(exported)

    people.erase(office_admin, person)

    assert not VolunteerApplication.objects.filter(pk=app.pk).exists()
    assert VolunteerApplication.objects.filter(pk=other.pk).exists()


def test_erasing_a_starter_deletes_their_application(office, office_admin, staff, cohort, mails):
    app = application(office)
    to_training(staff, app, cohort, mails)
    mails(services.activate, staff, app, uri)
    app.refresh_from_db()

    people.erase(office_admin, people.find_person(office, app.email))

    assert not VolunteerApplication.objects.exists()


# The public form -----------------------------------------------------------------------


def form_data(**overrides):
    return {
        "name": "Bea Bewerberin",
        "email": "bea@example.net",
        "phone": "",
        "town": "Musterstadt-Nord",
        "availability": "",
        "motivation": "Ich habe lange eine Gesprächsgruppe geleitet.",
        "consent": "on",
        "website": "",
    } | overrides


def test_the_public_page_explains_the_role_and_the_training(client, office):
    response = client.get(reverse("starters:office_apply", args=[office.slug]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Was In-Gang-Setzer:innen tun" in content
    assert "Die Schulung" in content
    assert "Bewerbung bei KISS Musterstadt" in content
    assert "<script>" not in content  # works without scripts; none inline (CSP)


def test_an_application_goes_to_the_office_of_the_address(client, office, other_office):
    response = client.post(reverse("starters:office_apply", args=[other_office.slug]), form_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("starters:apply_thanks")
    app = VolunteerApplication.objects.get()
    assert (app.office, app.status, app.phone) == (other_office, Status.APPLIED, "")
    assert "deletes them if I do not become" in app.consent_text or "löscht" in app.consent_text


def test_the_configured_office_takes_applications_without_a_slug(client, office, settings):
    settings.PUBLIC_OFFICE_SLUG = office.slug
    client.post(reverse("starters:apply"), form_data())
    assert VolunteerApplication.objects.get().office == office


def test_an_unknown_office_answers_404(client, office):
    response = client.get(reverse("starters:office_apply", args=["gibt-es-nicht"]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"consent": ""}, "Bitte stimmen Sie zu, damit wir Ihre Bewerbung bearbeiten dürfen."),
        ({"website": "http://spam.example"}, "Bitte lassen Sie dieses Feld leer."),
        ({"email": "kein-mail"}, "gültige E-Mail-Adresse"),
        ({"motivation": "x" * 1501}, "höchstens 1500 Zeichen"),
        ({"town": ""}, "Dieses Feld ist zwingend erforderlich."),
    ],
)
def test_bad_input_is_refused_with_a_german_message(client, office, mailoutbox, overrides, message):
    response = client.post(
        reverse("starters:office_apply", args=[office.slug]), form_data(**overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not VolunteerApplication.objects.exists()
    assert mailoutbox == []


def test_the_public_form_is_rate_limited(client, office):
    url = reverse("starters:office_apply", args=[office.slug])
    answers = [client.post(url, form_data(email=f"p{n}@example.net")).status_code for n in range(6)]
    assert answers == [302] * 5 + [200]
    assert VolunteerApplication.objects.count() == 5


# Staff pages --------------------------------------------------------------------------


def test_the_list_counts_each_step_and_filters_by_step(
    client, office, other_office, staff, cohort, mails, django_assert_max_num_queries
):
    for n in range(3):
        application(office, name=f"Neu {n}", email=f"neu{n}@example.net")
    interviewed = application(office, name="Gespräch Gerda", email="gerda@example.net")
    mails(services.arrange_interview, staff, interviewed, NEXT_WEEK)
    declined = application(office, name="Abgesagt Anton", email="anton@example.net")
    mails(services.reject, staff, declined, "Passt nicht")
    application(other_office, name="Fremde Frieda", email="frieda@example.net")
    client.force_login(staff)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("starters:application_list"))
    steps = {step["value"]: step["count"] for step in response.context["steps"]}
    assert steps == {"applied": 3, "interview": 1, "training": 0, "active": 0, "rejected": 1}
    assert response.context["total"] == 5
    assert "Fremde Frieda" not in response.content.decode()

    response = client.get(reverse("starters:application_list"), {"status": "interview"})
    assert [a.name for a in response.context["applications"]] == ["Gespräch Gerda"]


def test_the_lists_queries_do_not_grow_with_the_applications(client, office, staff, cohort):
    client.force_login(staff)
    url = reverse("starters:application_list")
    application(office)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for n in range(15):
        to_training(staff, application(office, email=f"viele{n}@example.net"), cohort)
    assert queries() == few


def test_staff_arrange_an_interview_from_the_page(client, office, staff, mails):
    mailoutbox = mails.outbox
    app = application(office)
    client.force_login(staff)
    step = reverse("starters:application_step", args=[app.pk, "gespraech"])

    refused = client.post(step, {"interview_at": "gestern"})
    assert refused.status_code == 400
    assert "Bitte ein gültiges Datum und Uhrzeit eingeben." in refused.content.decode()
    past = client.post(step, {"interview_at": "2020-01-01T10:00"})
    assert "Das Gespräch kann nicht in der Vergangenheit liegen." in past.content.decode()
    app.refresh_from_db()
    assert app.status == Status.APPLIED and mailoutbox == []

    when = timezone.localtime(NEXT_WEEK).strftime("%Y-%m-%dT%H:%M")
    response = mails(client.post, step, {"interview_at": when}, follow=True)
    assert "Das Gespräch ist vereinbart; die Person wurde benachrichtigt." in (
        response.content.decode()
    )
    app.refresh_from_db()
    assert app.status == Status.INTERVIEW
    assert len(mailoutbox) == 1


def test_a_step_out_of_order_from_the_page_says_why(client, office, staff, cohort):
    app = application(office)
    client.force_login(staff)
    response = client.post(
        reverse("starters:application_step", args=[app.pk, "aktiv"]), follow=True
    )
    assert "„aktiv“ folgt auf „in Schulung“" in response.content.decode()
    unknown = client.post(reverse("starters:application_step", args=[app.pk, "einstellen"]))
    assert unknown.status_code == 404


def test_the_training_form_offers_only_the_offices_running_cohorts(
    client, office, other_office, staff, cohort, mails
):
    app = application(office)
    mails(services.arrange_interview, staff, app, NEXT_WEEK)
    TrainingCohortFactory(office=other_office, name="Fremder Durchgang", starts_on=TODAY)
    TrainingCohortFactory(
        office=office, name="Alter Durchgang", starts_on=TODAY - 90 * DAY, ends_on=TODAY - DAY
    )
    client.force_login(staff)
    content = client.get(app.get_absolute_url()).content.decode()
    assert "Grundschulung Herbst" in content
    assert "Fremder Durchgang" not in content and "Alter Durchgang" not in content


def test_declining_asks_first_and_needs_a_reason(client, office, staff, mails):
    mailoutbox = mails.outbox
    app = application(office)
    client.force_login(staff)
    url = reverse("starters:application_reject", args=[app.pk])

    confirm = client.get(url)
    assert "Die Bewerbung von Bea Bewerberin absagen?" in confirm.content.decode()
    empty = client.post(url, {"reason": ""})
    assert "Dieses Feld ist zwingend erforderlich." in empty.content.decode()
    app.refresh_from_db()
    assert app.status == Status.APPLIED and mailoutbox == []

    mails(client.post, url, {"reason": "Keine Zeit"})
    app.refresh_from_db()
    assert app.status == Status.REJECTED
    assert len(mailoutbox) == 1


def test_staff_edit_their_offices_email_text(client, office, other_office, staff, other_staff):
    client.force_login(staff)
    url = reverse("starters:application_text_edit", args=["interview"])
    page = client.get(url).content.decode()
    assert "{interview}" in page and "Datum und Uhrzeit des Gesprächs" in page

    refused = client.post(url, {"subject": "Termin {termin}", "body": "Hallo {name}"})
    assert "Unbekannter Platzhalter: {termin}." in refused.content.decode()
    assert not ApplicationEmailText.objects.exists()

    client.post(url, {"subject": "Termin am {interview}", "body": "Hallo {name}"})
    text = ApplicationEmailText.objects.get()
    assert (text.office, text.step, text.subject) == (office, "interview", "Termin am {interview}")
    assert application_emails.text_for(other_office, "interview")[0] == (
        "Ihr Gespräch bei uns am {interview}"
    )

    client.post(url, {"action": "reset"})
    assert not ApplicationEmailText.objects.exists()
    assert client.get(reverse("starters:application_text_edit", args=["x"])).status_code == 404


def test_other_offices_and_other_roles_see_no_application(
    client, office, other_staff, starter, coordinator
):
    app = application(office)
    detail = app.get_absolute_url()
    client.force_login(other_staff)
    assert client.get(detail).status_code == 404
    assert (
        client.post(
            reverse("starters:application_reject", args=[app.pk]), {"reason": "x"}
        ).status_code
        == 404
    )
    assert "Bea Bewerberin" not in client.get(reverse("starters:application_list")).content.decode()
    for user in (starter, coordinator):
        client.force_login(user)
        assert client.get(detail).status_code == 403
        assert client.get(reverse("starters:application_list")).status_code == 403
    client.logout()
    assert client.get(detail).status_code == 302
    app.refresh_from_db()
    assert app.status == Status.APPLIED


def test_a_new_starter_of_another_office_with_the_same_address_is_refused(
    office, other_office, staff, cohort, mails
):
    user = member(Membership.Role.STARTER, office=other_office, email="bea@example.net")
    StarterFactory(office=other_office, user=user)
    app = application(office)
    to_training(staff, app, cohort, mails)
    with pytest.raises(StarterError):
        services.activate(staff, app, uri)
    assert mail.outbox[-1].subject == "Ihre Schulung als In-Gang-Setzer:in"


def test_the_demo_data_shows_the_pipeline(office, cohort):
    assert seed_applications(office) == 5
    assert seed_applications(office) == 0
    steps = set(VolunteerApplication.objects.values_list("status", flat=True))
    assert steps == {Status.APPLIED, Status.INTERVIEW, Status.TRAINING, Status.REJECTED}


# Races (PostgreSQL) --------------------------------------------------------------------


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_staff_moving_an_application_at_once_move_it_once(
    office, staff, office_admin, cohort, mailoutbox
):
    """Activating twice at once makes one profile and one invitation; declining while
    another activates leaves one of the two, each told once."""
    for round_ in range(3):
        app = application(office, email=f"race{round_}@example.net")
        to_training(staff, app, cohort)
        mailoutbox.clear()
        other = services.reject if round_ else services.activate
        other_args = ("Doch nicht",) if round_ else (uri,)

        done, refused = split(
            at_once(
                staff=lambda app=app: services.activate(staff, app, uri),
                admin=lambda app=app, other=other, args=other_args: other(office_admin, app, *args),
            )
        )

        assert (len(done), len(refused)) == (1, 1), round_
        app.refresh_from_db()
        assert Starter.objects.filter(user__email=app.email).count() == (
            1 if app.status == Status.ACTIVE else 0
        )
        expected = 2 if app.status == Status.ACTIVE else 1  # the step (and the invitation)
        assert [m.to for m in mailoutbox] == [[app.email]] * expected, round_
