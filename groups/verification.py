"""The yearly check of the groups' entries (Datenabgleich): its state changes.

- Staff confirm a group, or many at once, after checking its data themselves.
- ``send_due`` (run by ``send_reminders``) e-mails each due group's contact person a
  one-time link, and a new link as a reminder when the last one expired unanswered,
  at most twice. Only the hash of a link is stored.
- The contact person confirms everything (the group is confirmed at once) or proposes
  changes, which staff take over field by field (``review``).
- Groups without an e-mail address are called: staff record the answer (``record_call``).

Every confirmation renews the group's consent to publish when the group gave it.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from groups.models import CONFIRMATION_INTERVAL, Group, GroupChange, Verification
from groups.models.verification import MAX_REMINDERS
from groups.search import reindex_groups
from groups.services import GroupError, record_change
from kontaktstelle.consent import services as consent
from kontaktstelle.consent.models import Consent
from kontaktstelle.notifications import outbox
from kontaktstelle.web import tokens

# The public fields a contact person may propose changes to, in the order shown.
PROPOSABLE_FIELDS = (
    "name",
    "description",
    "audience",
    "languages",
    "format",
    "schedule",
    "street",
    "postcode",
    "city",
    "district",
    "public_email",
    "public_phone",
    "accepts_new_members",
)

# What the answer to "does the group still meet?" proposes for its status.
STATUS_OF_ANSWER = {
    Verification.Meets.PAUSED: Group.Status.PAUSED,
    Verification.Meets.NO: Group.Status.CLOSED,
}


class VerificationError(Exception):
    """A link that cannot be used (any more); the message is for the person holding it."""


def _link_lifetime():
    return datetime.timedelta(days=settings.VERIFICATION_LINK_DAYS)


def lead_time():
    """How long before a group is due its check starts: the link and both reminders."""
    return _link_lifetime() * (MAX_REMINDERS + 1)


def due_groups(today=None):
    """Groups whose check should start: due within the lead time, none running."""
    today = today or timezone.localdate()
    due = today - CONFIRMATION_INTERVAL + lead_time()
    running = Verification.objects.running().filter(group=OuterRef("pk"))
    return (
        Group.objects.exclude(status=Group.Status.CLOSED)
        .filter(
            Q(last_confirmed_on__isnull=True, created_at__date__lt=due)
            | Q(last_confirmed_on__lt=due)
        )
        .exclude(Exists(running))
    )


def _renew_consent(acting, group, channel, today):
    """The group's consent to publish, given (again) today: dated and recorded."""
    group.consent_published_on = today
    group.save(update_fields=["consent_published_on", "updated_at"])
    consent.sync_consent(acting, group, channel)
    return [str(Group._meta.get_field("consent_published_on").verbose_name)]


def _close_running(group, now):
    Verification.objects.running().filter(group=group).update(closed_at=now, token_hash=None)


def _confirm(acting, group, today, now, renew_consent_channel=None, fields=()):
    group.last_confirmed_on = today
    group.save(update_fields=["last_confirmed_on", "updated_at"])
    labels = list(fields)
    if renew_consent_channel:
        labels += _renew_consent(acting, group, renew_consent_channel, today)
    record_change(group, acting, GroupChange.Action.CONFIRMED, labels)


@transaction.atomic
def confirm_groups(user, groups):
    """Staff checked these groups' data: confirmed today; a running e-mail check ends.

    ``groups`` is a queryset already limited to what the user may change. Closed groups
    are skipped. Returns how many were confirmed.
    """
    today, now = timezone.localdate(), timezone.now()
    confirmed = 0
    for group in groups.exclude(status=Group.Status.CLOSED).select_for_update().order_by("pk"):
        _confirm(user, group, today, now)
        _close_running(group, now)
        confirmed += 1
    return confirmed


# E-mail links --------------------------------------------------------------------------


def _email(verification, token, reminder):
    group = verification.group
    context = {
        "group": group,
        "office": group.office,
        "link": settings.SITE_URL + reverse("groups:self_service", kwargs={"token": token}),
        "expires_at": verification.expires_at,
        "reminder": reminder,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = (
            _("Reminder: is the entry of “%(group)s” still correct?")
            if reminder
            else _("Is the entry of “%(group)s” still correct?")
        ) % {"group": group.name}
        body = render_to_string("groups/verification_email.txt", context)
    outbox.send(group.contact_email, subject, body, valid_for=_link_lifetime())


def start_check(group, now=None):
    """Start the e-mail check of one group; None when one is running already."""
    now = now or timezone.now()
    token, token_hash = tokens.new()
    try:
        with transaction.atomic():
            verification = Verification.objects.create(
                group=group,
                channel=Verification.Channel.EMAIL,
                token_hash=token_hash,
                created_at=now,
                last_sent_at=now,
                expires_at=now + _link_lifetime(),
            )
            _email(verification, token, reminder=False)
    except IntegrityError:  # another run started it a moment ago
        return None
    return verification


@transaction.atomic
def remind(verification, now=None):
    """Send a new link in place of the expired one, once per round; False if taken."""
    now = now or timezone.now()
    token, token_hash = tokens.new()
    claimed = (
        Verification.objects.waiting()
        .filter(
            pk=verification.pk,
            reminders_sent=verification.reminders_sent,
            reminders_sent__lt=MAX_REMINDERS,
            expires_at__lte=now,
        )
        .update(
            reminders_sent=verification.reminders_sent + 1,
            token_hash=token_hash,
            last_sent_at=now,
            expires_at=now + _link_lifetime(),
        )
    )
    if not claimed:
        return False
    verification.refresh_from_db()
    _email(verification, token, reminder=True)
    return True


def send_due(now=None):
    """Start the checks that are due and send the reminders; returns (started, reminded).

    Safe to run on several servers at once: a group has one running check (a database
    constraint) and each reminder is claimed by a conditional update.
    """
    if not settings.VERIFICATION_EMAILS:
        return 0, 0
    now = now or timezone.now()
    started = 0
    for group in (
        due_groups(timezone.localdate(now)).exclude(contact_email="").select_related("office")
    ):
        started += start_check(group, now) is not None
    expired = (
        Verification.objects.waiting()
        .filter(
            channel=Verification.Channel.EMAIL,
            reminders_sent__lt=MAX_REMINDERS,
            expires_at__lte=now,
        )
        .exclude(group__status=Group.Status.CLOSED)
        .exclude(group__contact_email="")
        .select_related("group__office")
    )
    reminded = sum(remind(verification, now) for verification in expired)
    return started, reminded


# The self-service page ------------------------------------------------------------------


def usable(token):
    """The running check of this link, or a ``VerificationError`` saying why not."""
    verification = (
        Verification.objects.select_related("group__office", "group__room__site")
        .filter(token_hash=tokens.digest(token or ""))
        .first()
    )
    if verification is None or verification.closed_at or verification.reviewed_at:
        raise VerificationError(
            _(
                "This link is not valid (any more). It may have been replaced by a newer "
                "e-mail, or the office has already confirmed your entry."
            )
        )
    if verification.answered_at:
        raise VerificationError(
            _("Thank you: this link has already been used. The office is checking your answer.")
        )
    if verification.expires_at <= timezone.now():
        raise VerificationError(
            _("This link has expired. You will receive a new one, or call the office.")
        )
    return verification


def _proposal(group, changes):
    """Only what differs from the entry as it is."""
    return {name: value for name, value in changes.items() if getattr(group, name) != value}


@transaction.atomic
def answer(token, still_meets, consent_renewed, changes):
    """Store the contact person's answer to a link, once.

    ``changes`` maps proposable fields to the values on the form. Without changes, a
    group that still meets is confirmed at once (its consent renewed when given again);
    otherwise the answer waits for staff. Returns the check.
    """
    verification = usable(token)
    group = Group.objects.select_for_update().get(pk=verification.group_id)
    now = timezone.now()
    proposed = _proposal(group, {k: v for k, v in changes.items() if k in PROPOSABLE_FIELDS})
    claimed = (
        Verification.objects.waiting()
        .filter(pk=verification.pk, expires_at__gt=now)
        .update(
            answered_at=now,
            token_hash=None,
            still_meets=still_meets,
            consent_renewed=consent_renewed,
            proposed=proposed,
        )
    )
    if not claimed:  # a double click: the first answer counts
        raise VerificationError(
            _("Thank you: this link has already been used. The office is checking your answer.")
        )
    verification.refresh_from_db()
    if not verification.has_changes:
        _confirm(
            None,
            group,
            timezone.localdate(now),
            now,
            Consent.Channel.WEB_FORM if consent_renewed else None,
        )
        Verification.objects.filter(pk=verification.pk).update(reviewed_at=now)
        verification.reviewed_at = now
    return verification


# Review by staff ------------------------------------------------------------------------


def proposed_rows(verification):
    """(field name, label, current value shown, proposed value shown) of each proposal."""
    group = verification.group
    rows = []
    proposals = dict(verification.proposed)
    status = STATUS_OF_ANSWER.get(verification.still_meets)
    if status and status != group.status:
        proposals["status"] = status
    for name, value in proposals.items():
        field = Group._meta.get_field(name)
        choices = dict(field.flatchoices)
        rows.append(
            (
                name,
                field.verbose_name,
                str(choices.get(getattr(group, name), getattr(group, name))) or "–",
                str(choices.get(value, value)) or "–",
            )
        )
    return rows


@transaction.atomic
def review(user, verification, accepted):
    """Take over the accepted fields, confirm the group and close the check.

    ``accepted`` names the fields to take over; the others are dropped. A group that no
    longer meets is closed only when its status is accepted. The proposed values are
    not kept: only the names of the fields taken over.
    """
    verification = Verification.objects.select_for_update().get(pk=verification.pk)
    if verification.reviewed_at or verification.closed_at:
        raise GroupError(_("This answer has already been reviewed."))
    group = Group.objects.select_for_update().get(pk=verification.group_id)
    rows = {name for name, *_rest in proposed_rows(verification)}
    taken = [name for name in accepted if name in rows]
    values = dict(verification.proposed)
    if verification.still_meets in STATUS_OF_ANSWER:
        values["status"] = STATUS_OF_ANSWER[verification.still_meets]
    for name in taken:
        setattr(group, name, values[name])
    try:
        group.full_clean(exclude=["slug"])
    except ValidationError as error:
        raise GroupError(" ".join(error.messages)) from error
    now = timezone.now()
    labels = [str(Group._meta.get_field(name).verbose_name) for name in taken]
    group.save()
    _confirm(
        user,
        group,
        timezone.localdate(now),
        now,
        Consent.Channel.WEB_FORM if verification.consent_renewed else None,
        labels,
    )
    Verification.objects.filter(pk=verification.pk).update(
        reviewed_at=now, reviewed_by=user, proposed={}, accepted_fields=taken
    )
    reindex_groups([group.pk])
    return group


@transaction.atomic
def record_call(user, group, still_meets, consent_renewed):
    """Staff called a group without e-mail: record what it said and confirm it.

    A group that no longer meets is closed; one pausing is marked paused. Changes to
    other fields are made on the group's edit form.
    """
    group = Group.objects.select_for_update().get(pk=group.pk)
    if group.status == Group.Status.CLOSED:
        raise GroupError(_("This group is already closed."))
    now = timezone.now()
    _close_running(group, now)
    Verification.objects.create(
        group=group,
        channel=Verification.Channel.PHONE,
        created_at=now,
        answered_at=now,
        still_meets=still_meets,
        consent_renewed=consent_renewed,
        reviewed_at=now,
        reviewed_by=user,
    )
    status = STATUS_OF_ANSWER.get(still_meets)
    labels = []
    if status and status != group.status:
        group.status = status
        group.save(update_fields=["status", "updated_at"])
        labels.append(str(Group._meta.get_field("status").verbose_name))
    _confirm(
        user,
        group,
        timezone.localdate(now),
        now,
        Consent.Channel.PHONE if consent_renewed else None,
        labels,
    )
    reindex_groups([group.pk])
    return group


def count_filters(now=None):
    """Counts of the check over a queryset of groups (one check runs per group at a time):
    answers to review, unanswered after both reminders, groups to call. For ``aggregate``.
    """
    now = now or timezone.now()
    checks = Verification.objects.all()
    return {
        "to_review": Count("pk", filter=Q(pk__in=checks.to_review().values("group"))),
        "unanswered": Count("pk", filter=Q(pk__in=checks.unanswered(now).values("group"))),
        "to_call": Count(
            "pk",
            filter=Q(
                pk__in=due_groups(timezone.localdate(now)).filter(contact_email="").values("pk")
            ),
        ),
    }


def queue_counts(user, now=None):
    """The check's counts for the user's office (see ``count_filters``)."""
    return Group.objects.for_user(user).aggregate(**count_filters(now))
