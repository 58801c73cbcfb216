"""State changes of starters and their training record, each in one transaction."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from groups import services as groups_services
from groups.models import Inquiry, Topic
from kontaktstelle.accounts.invitations import send_invitation
from kontaktstelle.audit import services as audit
from kontaktstelle.consent import services as consent
from kontaktstelle.models import Membership, User
from starters import notifications
from starters.matching import affected_message
from starters.models import (
    Accompaniment,
    Assignment,
    Attendance,
    Certificate,
    CohortParticipation,
    MeetingLog,
    Starter,
)
from starters.models.accompaniments import DEFAULT_MEETINGS, MAX_STARTERS


class StarterError(Exception):
    """A change the current state does not allow; the message is for users."""


@transaction.atomic
def create_starter(acting, form, availability_formset, build_absolute_uri):
    """Create the account, the starter role and the profile, then e-mail an invitation.

    The account has no usable password until the starter sets one through the link.
    """
    user = User.objects.create_user(
        email=form.cleaned_data["email"], name=form.cleaned_data["name"], password=None
    )
    Membership.objects.create(user=user, role=Membership.Role.STARTER, office=acting.office)
    starter = form.save(commit=False)
    starter.user = user
    starter.office = acting.office
    starter.save()
    form.save_m2m()
    availability_formset.instance = starter
    availability_formset.save()
    consent.sync_consent(acting, starter, form.cleaned_data.get("consent_channel"))
    send_invitation(user, acting, build_absolute_uri)
    audit.record(acting, audit.Action.ACCOUNT_CREATED, target=user)
    return starter


@transaction.atomic
def save_profile(acting, form, availability_formset):
    """Save a starter's profile (staff's form or their own), availability and account.

    A change of status restarts its date; a starter who is no longer paused has no
    date to pause until. The audit trail names the fields that changed, not their values.
    """
    starter = form.save(commit=False)
    if "status" in form.changed_data:
        starter.status_since = timezone.localdate()
    if starter.status != Starter.Status.PAUSED:
        starter.paused_until = None
    user = starter.user
    for field in ("name", "email"):
        if field in form.cleaned_data:
            setattr(user, field, form.cleaned_data[field])
    user.save(update_fields=["name", "email"])
    starter.save()
    form.save_m2m()
    availability_formset.save()
    if "consent_given_on" in form.cleaned_data:  # the staff's form, not the starter's own
        consent.sync_consent(acting, starter, form.cleaned_data.get("consent_channel"))
    if changes := audit.changed_labels(form, availability_formset):
        audit.record(acting, audit.Action.PERSONAL_DATA_CHANGED, target=starter, changes=changes)
    return starter


def _qualify(starter, qualifications):
    """Grant qualifications; a starter in training becomes active."""
    if not qualifications:
        return
    starter.qualifications.add(*qualifications)
    if starter.status == Starter.Status.IN_TRAINING:
        starter.status = Starter.Status.ACTIVE
        starter.status_since = timezone.localdate()
        starter.save(update_fields=["status", "status_since", "updated_at"])


@transaction.atomic
def add_participants(cohort, starters):
    """Add starters of the cohort's office to it; those already in it stay as they are."""
    for starter in starters:
        if starter.office_id != cohort.office_id:
            raise StarterError(_("Only starters of your office can take part."))
        CohortParticipation.objects.get_or_create(cohort=cohort, starter=starter)


@transaction.atomic
def complete_participation(participation, completed_on):
    """Record that a starter completed the cohort and grant its qualifications."""
    participation = CohortParticipation.objects.select_for_update().get(pk=participation.pk)
    if participation.completed_on:
        raise StarterError(_("This participation is already completed."))
    if completed_on < participation.cohort.starts_on:
        raise StarterError(_("The completion cannot be before the cohort started."))
    if completed_on > timezone.localdate():
        raise StarterError(_("The completion cannot be in the future."))
    participation.completed_on = completed_on
    participation.save(update_fields=["completed_on"])
    starter = Starter.objects.select_for_update().get(pk=participation.starter_id)
    _qualify(starter, list(participation.cohort.grants.all()))
    return participation


@transaction.atomic
def remove_participant(participation):
    """Take a starter off a cohort they have not completed."""
    participation = CohortParticipation.objects.select_for_update().get(pk=participation.pk)
    if participation.completed_on:
        raise StarterError(_("A completed training stays in the record."))
    participation.delete()


@transaction.atomic
def record_attendance(event, starters):
    """Set who attended the event; attendees of a qualifying course get its qualifications.

    Qualifications once granted stay when an attendance is removed later: staff take
    them away on the profile if that was a mistake.
    """
    starters = list(starters)
    if any(starter.office_id != event.office_id for starter in starters):
        raise StarterError(_("Only starters of your office can attend."))
    if event.date > timezone.localdate() and starters:
        raise StarterError(_("Attendance can be recorded once the event has taken place."))
    wanted = {starter.pk for starter in starters}
    event.attendances.exclude(starter_id__in=wanted).delete()
    present = set(event.attendances.values_list("starter_id", flat=True))
    Attendance.objects.bulk_create(
        [Attendance(event=event, starter_id=pk) for pk in wanted - present]
    )
    grants = list(event.grants.all())
    for starter in Starter.objects.select_for_update().filter(pk__in=wanted - present):
        _qualify(starter, grants)


def activity_summary(starter, start, end):
    """The figures of a certificate of volunteer work for the period, as plain data.

    Accompaniments that ran in the period, and the logged meetings the starter
    accompanied, with their hours.
    """
    # The pages that show a summary have the starter's record prefetched already.
    participations = sorted(
        (
            p
            for p in _prefetched(starter, "participations", "cohort")
            if p.cohort.starts_on <= end and p.cohort.ends_on >= start
        ),
        key=lambda p: p.cohort.starts_on,
    )
    attendances = sorted(
        (a for a in _prefetched(starter, "attendances", "event") if start <= a.event.date <= end),
        key=lambda a: a.event.date,
    )
    trainings = [
        {
            "title": p.cohort.name,
            "kind": _("basic training"),
            "dates": _period(p.cohort.starts_on, p.cohort.ends_on),
            "hours": _hours(p.cohort.hours),
            "completed": bool(p.completed_on),
        }
        for p in participations
    ] + [
        {
            "title": a.event.title,
            "kind": str(a.event.get_kind_display()),
            "dates": a.event.date.strftime("%d.%m.%Y"),
            "hours": _hours(a.event.hours),
            "completed": True,
        }
        for a in attendances
    ]
    training_hours = sum(
        (p.cohort.hours or Decimal(0) for p in participations if p.completed_on), Decimal(0)
    ) + sum((a.event.hours or Decimal(0) for a in attendances), Decimal(0))
    meetings = MeetingLog.objects.filter(
        accompanied_by=starter, held_on__gte=start, held_on__lte=end
    ).aggregate(count=Count("pk"), minutes=Sum("duration_minutes"))
    meeting_hours = Decimal(meetings["minutes"] or 0) / 60
    accompaniments = (
        Accompaniment.objects.filter(
            assignments__starter=starter,
            assignments__state__in=[Assignment.State.ACCEPTED, Assignment.State.ENDED],
            started_on__lte=end,
        )
        .exclude(completed_on__lt=start)
        .distinct()
        .count()
    )
    return {
        "period": _period(start, end),
        "trainings": trainings,
        "accompaniments": accompaniments,
        "meetings": meetings["count"],
        "meeting_hours": _hours(meeting_hours),
        "training_hours": _hours(training_hours),
        "total_hours": _hours(meeting_hours + training_hours),
    }


def _prefetched(starter, relation, related):
    """The starter's rows of ``relation`` with ``related``: from the prefetch if there."""
    cached = getattr(starter, "_prefetched_objects_cache", {})
    if relation in cached:
        return list(cached[relation])
    return list(getattr(starter, relation).select_related(related))


def _period(start, end):
    return f"{start:%d.%m.%Y} – {end:%d.%m.%Y}"


def _hours(value):
    """Hours as a string with one decimal (JSON has no decimals); templates localise it."""
    return str(Decimal(value or 0).quantize(Decimal("0.1")))


def year_bounds(today=None):
    today = today or timezone.localdate()
    return datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)


@transaction.atomic
def request_certificate(starter, period_start, period_end):
    """A certificate waiting for the office's sign-off."""
    return Certificate.objects.create(
        starter=starter, period_start=period_start, period_end=period_end
    )


@transaction.atomic
def sign_certificate(acting, certificate):
    """Freeze the figures and sign off; a signed certificate never changes again."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.is_signed:
        raise StarterError(_("This certificate has already been signed off."))
    certificate.content = activity_summary(
        certificate.starter, certificate.period_start, certificate.period_end
    )
    certificate.signed_by = acting
    certificate.signed_on = timezone.localdate()
    certificate.save(update_fields=["content", "signed_by", "signed_on"])
    transaction.on_commit(lambda: notifications.certificate_signed(certificate))
    return certificate


# Accompaniments -------------------------------------------------------------------


def default_planned_meetings(kind):
    return DEFAULT_MEETINGS[kind]


@transaction.atomic
def create_founding_group(acting, inquiry):
    """A group being founded, from a founding interest in the inbox (one click).

    The group is unlisted until the office publishes it; the inquiry is marked done.
    Its topics come from the topic the person named (thesaurus names and synonyms), so
    that nobody personally affected by them is suggested or offered.
    """
    inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk, office=acting.office)
    if inquiry.kind != Inquiry.Kind.FOUNDING_INTEREST:
        raise StarterError(_("Only a founding interest becomes a new group."))
    if inquiry.status == Inquiry.Status.DONE:
        raise StarterError(
            _("This founding interest is already done: its group was created before.")
        )
    topic = inquiry.topic.strip()
    # The topics decide who may accompany the group (content abstinence): carried over
    # from what the person asked about, by topic name or synonym.
    group = groups_services.found_group(
        acting,
        name=_("Self-help group %(topic)s") % {"topic": topic} if topic else _("New group"),
        slug_base=f"{topic or _('New group')}-gruendung",
        topics=Topic.objects.from_text(topic),
    )
    inquiry.status = Inquiry.Status.DONE
    inquiry.answered_at = inquiry.answered_at or timezone.now()
    inquiry.save(update_fields=["status", "answered_at"])
    audit.record(
        acting,
        audit.Action.PERSONAL_DATA_CHANGED,
        target=inquiry,
        changes=[Inquiry._meta.get_field("status").verbose_name],
    )
    return group


@transaction.atomic
def create_accompaniment(acting, form, inquiry=None):
    """Record a request for In-Gang-Setzer:innen of the acting staff member's office."""
    accompaniment = form.save(commit=False)
    accompaniment.office = acting.office
    accompaniment.inquiry = inquiry
    accompaniment.save()
    form.save_m2m()
    return accompaniment


def check_content_abstinence(starter, group):
    """Raise StarterError unless ``starter`` may accompany ``group``.

    Content abstinence: nobody accompanies a group on a topic that affects them
    personally. A group without topics cannot be checked, so it cannot be matched.
    There is no override.
    """
    if not group.topics.exists():
        raise StarterError(
            _(
                "The group “%(group)s” has no topics yet. Please enter its topics first: "
                "only then can the office make sure that nobody personally affected by "
                "them accompanies it."
            )
            % {"group": group.name}
        )
    affected = sorted(
        starter.excluded_topics.filter(pk__in=group.topics.values("pk")).values_list(
            "name", flat=True
        )
    )
    if affected:
        raise StarterError(affected_message(starter, affected))


def _lock(accompaniment):
    return Accompaniment.objects.select_for_update().get(pk=accompaniment.pk)


@transaction.atomic
def offer(
    acting,
    accompaniment,
    starter,
    choice_reason="",
    suggested=True,
    notify=notifications.offer_made,
):
    """Offer the accompaniment to a starter of the office (one or two per accompaniment).

    An open offer holds one place of the starter's capacity, so nobody is ever asked for
    more than they agreed to take on.

    Someone who was not among the suggestions needs a reason. ``notify`` is called with
    the new assignment after commit (by default: the starter is told, with the details).
    """
    accompaniment = _lock(accompaniment)
    if not accompaniment.is_open:
        raise StarterError(_("This accompaniment is no longer open."))
    if starter.office_id != accompaniment.office_id:
        raise StarterError(_("Only starters of your office can be asked."))
    if not suggested and not choice_reason.strip():
        raise StarterError(
            _("This person is not among the suggestions: please give a reason for the choice.")
        )
    current = accompaniment.assignments.filter(
        state__in=[Assignment.State.OFFERED, Assignment.State.ACCEPTED]
    )
    if current.count() >= MAX_STARTERS:
        raise StarterError(_("An accompaniment has at most two starters (a tandem)."))
    if accompaniment.assignments.filter(starter=starter).exists():
        raise StarterError(_("This person was already asked for this group."))
    check_content_abstinence(starter, accompaniment.group)
    _take_place(
        starter,
        _("%(name)s has no free place: every place is taken by accompaniments or open offers.")
        % {"name": starter.name},
    )
    assignment = Assignment.objects.create(
        accompaniment=accompaniment,
        starter=starter,
        offered_by=acting,
        choice_reason=choice_reason.strip(),
    )
    if accompaniment.status == Accompaniment.Status.REQUESTED:
        accompaniment.status = Accompaniment.Status.OFFERED
        accompaniment.save(update_fields=["status"])
    if notify:
        transaction.on_commit(lambda: notify(assignment))
    return assignment


@transaction.atomic
def answer_offer(starter, assignment, accept, reason=""):
    """The starter accepts or declines an offer made to them.

    The offer already holds one place of their capacity; declining frees it. A declined
    offer sends the accompaniment back to matching when no one else is on it.
    """
    # Lock order everywhere: the accompaniment, then its assignments (no deadlocks).
    accompaniment = _lock(Assignment.objects.get(pk=assignment.pk, starter=starter).accompaniment)
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk, starter=starter)
    if assignment.state != Assignment.State.OFFERED or not accompaniment.is_open:
        raise StarterError(_("This offer has already been answered or withdrawn."))
    assignment.answered_at = timezone.now()
    if accept:
        # The group's topics may have changed since the offer was made.
        check_content_abstinence(starter, accompaniment.group)
        # The place was taken when the offer was made.
        assignment.state = Assignment.State.ACCEPTED
        if accompaniment.status != Accompaniment.Status.ACTIVE:
            accompaniment.status = Accompaniment.Status.ACTIVE
            accompaniment.started_on = accompaniment.started_on or timezone.localdate()
            accompaniment.save(update_fields=["status", "started_on"])
    else:
        assignment.state = Assignment.State.DECLINED
        assignment.decline_reason = reason.strip()[:300]
    assignment.save(update_fields=["state", "answered_at", "decline_reason"])
    if not accept:
        _free_place(starter.pk)
        _back_to_matching(accompaniment)
    transaction.on_commit(lambda: notifications.offer_answered(assignment))
    return assignment


def _back_to_matching(accompaniment):
    """With no open offer and nobody on it, a request goes back to matching."""
    remaining = accompaniment.assignments.filter(
        state__in=[Assignment.State.OFFERED, Assignment.State.ACCEPTED]
    ).count()
    if remaining == 0 and accompaniment.status == Accompaniment.Status.OFFERED:
        accompaniment.status = Accompaniment.Status.REQUESTED
        accompaniment.save(update_fields=["status"])


@transaction.atomic
def withdraw_offer(acting, assignment):
    """Staff take back an offer not answered yet."""
    accompaniment = _lock(Assignment.objects.get(pk=assignment.pk).accompaniment)
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.state != Assignment.State.OFFERED:
        raise StarterError(_("Only an offer without an answer can be withdrawn."))
    assignment.state = Assignment.State.WITHDRAWN
    assignment.answered_at = timezone.now()
    assignment.save(update_fields=["state", "answered_at"])
    _free_place(assignment.starter_id)
    _back_to_matching(accompaniment)
    transaction.on_commit(lambda: notifications.offer_withdrawn(assignment))
    return assignment


def _take_place(starter, message):
    """Take one place of a starter's capacity, or refuse.

    The row lock serialises two staff members offering at the same moment, and the
    database's check (load <= capacity) refuses an overbooking in any case.
    """
    locked = Starter.objects.select_for_update().get(pk=starter.pk)
    if locked.load >= locked.capacity:
        raise StarterError(message)
    Starter.objects.filter(pk=starter.pk).update(load=F("load") + 1)


def _free_place(*starter_ids):
    Starter.objects.filter(pk__in=starter_ids, load__gt=0).update(load=F("load") - 1)


def _release(accompaniment):
    """End every assignment of an accompaniment that leaves the open states."""
    holding = list(
        accompaniment.assignments.filter(
            state__in=[Assignment.State.OFFERED, Assignment.State.ACCEPTED]
        ).values_list("starter_id", flat=True)
    )
    _free_place(*holding)
    accompaniment.assignments.filter(state=Assignment.State.ACCEPTED).update(
        state=Assignment.State.ENDED
    )
    unanswered = list(accompaniment.assignments.filter(state=Assignment.State.OFFERED))
    accompaniment.assignments.filter(state=Assignment.State.OFFERED).update(
        state=Assignment.State.WITHDRAWN, answered_at=timezone.now()
    )
    # Talk requests are settled with the accompaniment; everyone's notices are done.
    accompaniment.meeting_logs.filter(wants_talk=True, talk_done_at__isnull=True).update(
        talk_done_at=timezone.now()
    )

    def tell():
        for assignment in unanswered:
            notifications.offer_withdrawn(assignment)
        notifications.accompaniment_closed(accompaniment)

    transaction.on_commit(tell)


@transaction.atomic
def complete(acting, accompaniment, outcome, completed_on, note=""):
    """End an active accompaniment with its outcome; a follow-up is due six months later."""
    accompaniment = _lock(accompaniment)
    if accompaniment.status != Accompaniment.Status.ACTIVE:
        raise StarterError(_("Only an active accompaniment can be completed."))
    if completed_on > timezone.localdate():
        raise StarterError(_("The end cannot be in the future."))
    if accompaniment.started_on and completed_on < accompaniment.started_on:
        raise StarterError(_("The end cannot be before the start."))
    _release(accompaniment)
    accompaniment.status = Accompaniment.Status.COMPLETED
    accompaniment.outcome = outcome
    accompaniment.outcome_note = note.strip()[:300]
    accompaniment.completed_on = completed_on
    accompaniment.save(update_fields=["status", "outcome", "outcome_note", "completed_on"])
    return accompaniment


@transaction.atomic
def cancel(acting, accompaniment, reason=""):
    """Cancel an open accompaniment; starters on it are free again."""
    accompaniment = _lock(accompaniment)
    if not accompaniment.is_open:
        raise StarterError(_("This accompaniment is no longer open."))
    _release(accompaniment)
    accompaniment.status = Accompaniment.Status.CANCELLED
    accompaniment.cancel_reason = reason.strip()[:300]
    accompaniment.completed_on = timezone.localdate()
    accompaniment.save(update_fields=["status", "cancel_reason", "completed_on"])
    return accompaniment


@transaction.atomic
def record_follow_up(acting, accompaniment, result, followed_up_on):
    """Record whether the group still meets, six months after completion."""
    accompaniment = _lock(accompaniment)
    if accompaniment.status != Accompaniment.Status.COMPLETED:
        raise StarterError(_("A follow-up is recorded after completion."))
    if followed_up_on > timezone.localdate() or followed_up_on < accompaniment.completed_on:
        raise StarterError(_("The date of the follow-up must lie between the end and today."))
    accompaniment.follow_up = result
    accompaniment.follow_up_on = followed_up_on
    accompaniment.save(update_fields=["follow_up", "follow_up_on"])
    return accompaniment
