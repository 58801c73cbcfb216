"""The e-mail an applicant gets at each step of their application.

Each office may word its own (``ApplicationEmailText``); otherwise the text shipped here
is sent, in the office's language. Texts use a few placeholders in braces, replaced
by plain values: never a template language, so an edited text cannot reach into data.
E-mails go through the outbox, so a mail-server outage loses none.
"""

import datetime
import re

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kontaktstelle.notifications import outbox
from starters.models import ApplicationEmailText, ApplicationStatus

# How long an applicant's e-mail is worth sending while the mail server is down.
VALID_FOR = datetime.timedelta(days=14)

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

PLACEHOLDERS = {
    "name": gettext_lazy("the applicant's name"),
    "office": gettext_lazy("the name of your office"),
    "office_email": gettext_lazy("your office's e-mail address"),
    "office_phone": gettext_lazy("your office's phone number"),
    "interview": gettext_lazy("date and time of the interview (from that step on)"),
    "cohort": gettext_lazy("the name of the training cohort (from “in training” on)"),
    "cohort_dates": gettext_lazy("first and last day of the training cohort"),
}

_CLOSING = gettext_lazy("Kind regards\n{office}\n{office_phone}\n{office_email}")

DEFAULTS = {
    ApplicationStatus.APPLIED: (
        gettext_lazy("Your application as In-Gang-Setzer:in"),
        gettext_lazy(
            "Dear {name},\n\n"
            "thank you for your interest in becoming an In-Gang-Setzer:in. Your application "
            "has arrived. We will get in touch with you soon to arrange a first, "
            "non-binding conversation.\n\n"
        ),
    ),
    ApplicationStatus.INTERVIEW: (
        gettext_lazy("Your conversation with us on {interview}"),
        gettext_lazy(
            "Dear {name},\n\n"
            "we look forward to meeting you on {interview}. We will talk about the "
            "In-Gang-Setzer programme, the training and your questions. If the date does "
            "not suit you, please let us know.\n\n"
        ),
    ),
    ApplicationStatus.TRAINING: (
        gettext_lazy("Your training as In-Gang-Setzer:in"),
        gettext_lazy(
            "Dear {name},\n\n"
            "we are glad that you are taking part in the training “{cohort}” "
            "({cohort_dates}). You will get the details of the training days from us.\n\n"
        ),
    ),
    ApplicationStatus.ACTIVE: (
        gettext_lazy("Welcome as In-Gang-Setzer:in"),
        gettext_lazy(
            "Dear {name},\n\n"
            "welcome to the In-Gang-Setzer programme! In a separate e-mail you will get "
            "a link to set your password for your own area, where you keep your times "
            "current and answer requests to accompany a group.\n\n"
        ),
    ),
    ApplicationStatus.REJECTED: (
        gettext_lazy("Your application as In-Gang-Setzer:in"),
        gettext_lazy(
            "Dear {name},\n\n"
            "thank you again for your interest in the In-Gang-Setzer programme. "
            "Unfortunately we cannot take you on as an In-Gang-Setzer:in this time. "
            "Your details will be deleted after a few months.\n\n"
        ),
    ),
}


def default_text(step):
    """The shipped subject and text of a step, in the office's language."""
    subject, body = DEFAULTS[step]
    with translation.override(settings.LANGUAGE_CODE):
        return str(subject), str(body) + str(_CLOSING)


def text_for(office, step):
    """(subject, body) the office sends at ``step``: its own wording, else the default."""
    own = ApplicationEmailText.objects.filter(office=office, step=step).first()
    if own is not None:
        return own.subject, own.body
    return default_text(step)


def unknown_placeholders(text):
    """Names in braces that are not placeholders (for the edit form's error)."""
    return sorted({name for name in PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})


def fill(text, values):
    """Replace the known placeholders; anything else in braces stays as written."""
    return PLACEHOLDER.sub(lambda match: values.get(match[1], match[0]), text)


def values_for(application):
    office = application.office
    with translation.override(settings.LANGUAGE_CODE):
        interview = (
            formats.date_format(timezone.localtime(application.interview_at), "DATETIME_FORMAT")
            if application.interview_at
            else ""
        )
        cohort = application.cohort
        cohort_dates = (
            f"{formats.date_format(cohort.starts_on, 'SHORT_DATE_FORMAT')} – "
            f"{formats.date_format(cohort.ends_on, 'SHORT_DATE_FORMAT')}"
            if cohort
            else ""
        )
    return {
        "name": application.name,
        "office": office.name,
        "office_email": office.email,
        "office_phone": office.phone,
        "interview": interview,
        "cohort": cohort.name if cohort else "",
        "cohort_dates": cohort_dates,
    }


def send_step_email(application):
    """Queue the e-mail of the application's current step; sent after the commit."""
    subject, body = text_for(application.office, application.status)
    values = values_for(application)
    return outbox.send(
        application.email,
        fill(subject, values).replace("\n", " "),
        fill(body, values),
        valid_for=VALID_FOR,
    )


def preview(office, step):
    """The step's e-mail as an example applicant would get it (for the edit page)."""
    subject, body = text_for(office, step)
    values = {
        "name": _("Alex Example"),
        "office": office.name,
        "office_email": office.email,
        "office_phone": office.phone,
        "interview": formats.date_format(
            timezone.localtime().replace(hour=17, minute=0), "DATETIME_FORMAT"
        ),
        "cohort": _("Basic training spring"),
        "cohort_dates": "01.03. – 30.04.",
    }
    return fill(subject, values), fill(body, values)
