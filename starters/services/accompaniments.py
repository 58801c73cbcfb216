"""State changes of accompaniments: request, offer, answer, withdrawal, completion, follow-up.

Each runs in a transaction and locks what it checks; content abstinence is checked on
every path (``check_content_abstinence``)."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from groups import services as groups_services
from groups.models import Inquiry, Topic
from kontaktstelle.audit import services as audit
from starters import notifications
from starters.matching import affected_message
from starters.models import (
    Accompaniment,
    Assignment,
    Starter,
)
from starters.models.accompaniments import DEFAULT_MEETINGS, MAX_STARTERS
from starters.services.documents import check_documents
from starters.services.errors import StarterError


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
    inquiry.assigned_to = inquiry.assigned_to or acting
    inquiry.group = group  # what came of it, linked from the inbox
    inquiry.save(update_fields=["status", "answered_at", "assigned_to", "group"])
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
    more than they agreed to take on. Nobody whose required documents have expired is
    asked (``check_documents``).

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
    check_documents(starter)
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
