"""The follow-up of referrals to groups (Rückmeldung zur Vermittlung): its state changes.

- A consultation that referred someone to groups stores their e-mail address only when
  they agreed to the follow-up (``ask_for_follow_up``, called when it is counted).
- ``send_due`` (run by ``send_reminders``) sends one e-mail four weeks after the
  consultation, through the outbox, with a one-time link of which only the hash is
  stored. Each e-mail is claimed by a conditional update: two servers send it once.
- ``answer`` stores the answer per referred group and erases the address in the same
  update; the retention rule ``erase_expired`` erases it when no answer came.

Nothing of this ever reaches the groups or their contact persons.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groups.models import Group, ReferralAnswer, ReferralFollowUp
from kontaktstelle.notifications import outbox
from kontaktstelle.web import tokens


class FollowUpError(Exception):
    """A link that cannot be used (any more); the message is for the person holding it."""


def _days(number):
    return datetime.timedelta(days=number)


def send_after():
    """How long after the consultation the e-mail goes out."""
    return _days(settings.REFERRAL_FOLLOW_UP_DAYS)


def kept_for():
    """How long after the consultation the address is kept at most (the link's life)."""
    return _days(settings.RETENTION_DAYS["referral_follow_up"])


def last_day(held_on):
    """The last day the link of a consultation held on ``held_on`` works."""
    return held_on + kept_for()


def too_old(held_on, today=None):
    """Whether a consultation is too long ago to ask its follow-up any more."""
    return last_day(held_on) < (today or timezone.localdate())


def ask_for_follow_up(consultation, email):
    """Keep ``email`` for the consultation's follow-up (the person agreed to it).

    Called in the transaction that counts the consultation; nothing is stored without a
    referral to a group. Returns the follow-up or None.
    """
    if not email or not consultation.referred_groups.exists():
        return None
    return ReferralFollowUp.objects.create(consultation=consultation, email=email)


def drop_unanswered(consultation):
    """The consultation no longer refers to a group: its follow-up is not asked."""
    ReferralFollowUp.objects.filter(consultation=consultation, answered_at__isnull=True).delete()


def _email(follow_up, token, today):
    consultation = follow_up.consultation
    office = consultation.office
    link = settings.SITE_URL + reverse("groups:referral_follow_up", kwargs={"token": token})
    context = {
        "office": office,
        "held_on": consultation.held_on,
        "last_day": last_day(consultation.held_on),
        "links": [
            (label, f"{link}?antwort={value}") for value, label in ReferralAnswer.Answer.choices
        ],
    }
    with translation.override(settings.LANGUAGE_CODE):
        # Neither subject nor text names a group: its topic may be a health matter, and
        # others may read the mailbox.
        subject = _("Did you find your way to a self-help group?")
        body = render_to_string("groups/referral_follow_up_email.txt", context)
    valid_for = last_day(consultation.held_on) - today + _days(1)
    outbox.send(follow_up.email, subject, body, valid_for=valid_for)


def send(follow_up, now=None):
    """Send the follow-up's one e-mail unless another run has sent it; True when sent here."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    token, token_hash = tokens.new()
    with transaction.atomic():
        claimed = (
            ReferralFollowUp.objects.filter(pk=follow_up.pk, sent_at__isnull=True)
            .exclude(email="")
            .update(sent_at=now, token_hash=token_hash)
        )
        if not claimed:
            return False
        follow_up.refresh_from_db()
        _email(follow_up, token, today)
    return True


def due(now=None):
    """Follow-ups whose e-mail should go out now: four weeks after the consultation, the
    address still there, not sent, and the link not expired yet."""
    today = timezone.localdate(now or timezone.now())
    return (
        ReferralFollowUp.objects.filter(
            sent_at__isnull=True,
            consultation__held_on__lte=today - send_after(),
            consultation__held_on__gte=today - kept_for(),
        )
        .exclude(email="")
        .select_related("consultation__office")
    )


def send_due(now=None):
    """Send every follow-up e-mail that is due; returns how many were sent here.

    Safe to run on several servers at once: each e-mail is claimed by a conditional
    update before it is queued in the outbox, in the same transaction.
    """
    now = now or timezone.now()
    return sum(send(follow_up, now) for follow_up in due(now).order_by("pk"))


def erase_expired(now):
    """Retention: the address for a follow-up whose link expired unanswered (an answer
    erases it at once); the follow-up and its answers count on. Returns how many."""
    before = timezone.localdate(now) - kept_for()
    return (
        ReferralFollowUp.objects.filter(consultation__held_on__lt=before)
        .exclude(email="")
        .update(email="")
    )


# The page of the link ----------------------------------------------------------------


ANSWERED = gettext_lazy(
    "Thank you: you have already answered. Your answer was saved and your e-mail address "
    "deleted; nothing more is needed."
)


def usable(token):
    """The follow-up of this link, or a ``FollowUpError`` saying why not."""
    follow_up = (
        ReferralFollowUp.objects.select_related("consultation__office")
        .filter(token_hash=tokens.digest(token or ""))
        .first()
    )
    if follow_up is None:
        raise FollowUpError(_("This link is not valid. Please check that it was copied whole."))
    if follow_up.answered_at:
        raise FollowUpError(str(ANSWERED))
    if not follow_up.email or too_old(follow_up.consultation.held_on):
        raise FollowUpError(
            _("This link has expired, and your e-mail address has been deleted. Thank you!")
        )
    return follow_up


def referred_groups(follow_up):
    """The groups the consultation referred to, by name: what the person answers about."""
    return Group.objects.filter(referrals=follow_up.consultation_id).order_by("name", "pk")


@transaction.atomic
def answer(token, answers):
    """Store the person's answers, once, and erase their address in the same update.

    ``answers`` maps referred groups to an ``ReferralAnswer.Answer``. A second answer
    (a double click, a second tab) raises ``FollowUpError``.
    """
    follow_up = usable(token)
    now = timezone.now()
    claimed = (
        ReferralFollowUp.objects.filter(pk=follow_up.pk, answered_at__isnull=True)
        .exclude(email="")
        .update(answered_at=now, email="")
    )
    if not claimed:
        raise FollowUpError(str(ANSWERED))
    ReferralAnswer.objects.bulk_create(
        ReferralAnswer(follow_up=follow_up, group=group, answer=value)
        for group, value in answers.items()
    )
    return follow_up
