"""Demo applications as In-Gang-Setzer:in for `seed_demo`: one or two at each open step
and one declined, so the pipeline's list and its counts show something.

Rows are written directly (no e-mails are sent to invented addresses); each is found by
its e-mail address, so a later run adds nothing. Applicants in training join the cohort
running now, if the office has one.
"""

import datetime

from django.utils import timezone

from starters.models import ApplicationStatus, TrainingCohort, VolunteerApplication

Status = ApplicationStatus
CONSENT_TEXT = (
    "Ich bin einverstanden, dass die Kontaktstelle meine Angaben speichert, um meine "
    "Bewerbung zu bearbeiten, und sie löscht, wenn ich nicht In-Gang-Setzer:in werde."
)
# name, e-mail (local part), town, availability, motivation, step, days since applying
APPLICANTS = [
    (
        "Hannah Kruse",
        "hannah.kruse",
        "Musterstadt-Nord",
        "werktags abends",
        "Ich war viele Jahre in einer Selbsthilfegruppe und möchte etwas zurückgeben.",
        Status.APPLIED,
        3,
    ),
    (
        "Mehmet Aksoy",
        "mehmet.aksoy",
        "Musterstadt-Süd",
        "dienstags und donnerstags ab 18 Uhr",
        "Ich moderiere im Sportverein Gruppen und interessiere mich für Selbsthilfe.",
        Status.APPLIED,
        9,
    ),
    (
        "Ulrike Brandt",
        "ulrike.brandt",
        "Altdorf",
        "vormittags",
        "Als Rentnerin habe ich Zeit und viel Erfahrung aus der Nachbarschaftshilfe.",
        Status.INTERVIEW,
        20,
    ),
    (
        "Jonas Lehmann",
        "jonas.lehmann",
        "Musterstadt-Mitte",
        "jeden zweiten Samstag",
        "Ich möchte jungen Menschen helfen, eine eigene Gruppe zu gründen.",
        Status.TRAINING,
        80,
    ),
    (
        "Karin Vogel",
        "karin.vogel",
        "Neustadt",
        "",
        "Ich habe von einer Freundin vom Programm gehört.",
        Status.REJECTED,
        60,
    ),
]


def seed_applications(office):
    """Create the office's demo applications; returns how many were new."""
    today = timezone.localdate()
    now = timezone.now()
    running = (
        TrainingCohort.objects.for_office(office)
        .filter(starts_on__lte=today, ends_on__gte=today)
        .order_by("starts_on")
        .first()
    )
    created = 0
    for name, local, town, times, motivation, status, days in APPLICANTS:
        email = f"{local}@{office.slug}.example.org"
        known = VolunteerApplication.objects.filter(office=office, email=email).exists()
        if known or (status == Status.TRAINING and running is None):
            continue
        applied = now - datetime.timedelta(days=days)
        fields = {}
        if status in (Status.INTERVIEW, Status.TRAINING):
            fields["interview_arranged_at"] = applied + datetime.timedelta(days=2)
            fields["interview_at"] = (
                now + datetime.timedelta(days=5)
                if status == Status.INTERVIEW
                else applied + datetime.timedelta(days=10)
            ).replace(hour=16, minute=0, second=0, microsecond=0)
        if status == Status.TRAINING:
            fields["cohort"] = running
            fields["training_started_at"] = applied + datetime.timedelta(days=11)
        if status == Status.REJECTED:
            fields["rejection_reason"] = "Kann an den Schulungstagen nicht teilnehmen."
            fields["closed_at"] = applied + datetime.timedelta(days=14)
        application = VolunteerApplication.objects.create(
            office=office,
            status=status,
            name=name,
            email=email,
            town=town,
            availability=times,
            motivation=motivation,
            consent_at=applied,
            consent_text=CONSENT_TEXT,
            **fields,
        )
        VolunteerApplication.objects.filter(pk=application.pk).update(created_at=applied)
        created += 1
    return created
