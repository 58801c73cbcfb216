"""Suggest starters for an accompaniment, with the reasons shown to staff.

Hard conditions filter (active, free capacity, not personally affected by a topic of
the group, no required document expired, the qualifications and language needed); soft
ones score (availability at the meeting time, reach, experience with this kind,
fairness, tandems that worked).
All office starters are judged in a constant number of queries.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from starters.documents import blocking, with_documents
from starters.models import Accompaniment, Assignment, Availability, Qualification, Starter

FAIRNESS_PERIOD = datetime.timedelta(days=365)


@dataclass
class Candidate:
    starter: Starter
    score: int = 0
    reasons: list = field(default_factory=list)
    obstacles: list = field(default_factory=list)
    # Topics of the group that affect the starter personally: they can never be asked.
    affected: list = field(default_factory=list)
    # Required documents expired: they cannot be asked until these are renewed.
    documents: list = field(default_factory=list)

    @property
    def suggested(self):
        return not self.obstacles


def affected_message(starter, topics):
    """Why ``starter`` can never be asked for a group with these topics."""
    return _(
        "%(name)s is personally affected by a topic of this group (%(topics)s) and can "
        "never accompany it: In-Gang-Setzer:innen accompany the process, not their own topic."
    ) % {"name": starter.name, "topics": ", ".join(topics)}


def kind_qualification_code(kind):
    if kind == Accompaniment.Kind.FOUNDING:
        return Qualification.Code.FOUNDING
    return Qualification.Code.IMPULSE


def judge(accompaniment):
    """Every starter of the office who could be asked: suggestions first, by score."""
    group = accompaniment.group
    topic_names = {topic.pk: topic.name for topic in group.topics.all()}
    needed = {q.pk: q.name for q in accompaniment.needs.all()}
    kind_qualification = Qualification.objects.filter(
        code=kind_qualification_code(accompaniment.kind)
    ).first()
    if kind_qualification:
        needed[kind_qualification.pk] = kind_qualification.name
    since = timezone.now() - FAIRNESS_PERIOD
    on_it = set(accompaniment.assignments.values_list("starter_id", flat=True))
    current = set(accompaniment.assignments.current().values_list("starter_id", flat=True))
    # Partners: who accompanied a group to a good end together with someone on it now.
    partners = set(
        Assignment.objects.filter(
            state=Assignment.State.ENDED,
            accompaniment__assignments__starter_id__in=current,
            accompaniment__assignments__state=Assignment.State.ENDED,
            accompaniment__status=Accompaniment.Status.COMPLETED,
            accompaniment__outcome=Accompaniment.Outcome.CONTINUES,
        )
        .exclude(starter_id__in=on_it)
        .values_list("starter_id", flat=True)
    )
    starters = (
        with_documents(Starter.objects.for_office(accompaniment.office))
        .exclude(status=Starter.Status.RETIRED)
        .exclude(pk__in=on_it)
        .prefetch_related(
            "qualifications",
            "languages",
            "excluded_topics",
            "sites",
            Prefetch("availabilities", queryset=Availability.objects.order_by("weekday")),
        )
        .annotate(
            experience=Count(
                "assignments",
                filter=Q(
                    assignments__state=Assignment.State.ENDED,
                    assignments__accompaniment__kind=accompaniment.kind,
                    assignments__accompaniment__status=Accompaniment.Status.COMPLETED,
                ),
                distinct=True,
            ),
            recent=Count(
                "assignments",
                filter=Q(
                    assignments__offered_at__gte=since,
                    assignments__state__in=[Assignment.State.ACCEPTED, Assignment.State.ENDED],
                ),
                distinct=True,
            ),
            free=F("capacity") - F("load"),
        )
    )
    site_id = group.room.site_id if group.room_id else None
    town = (group.city or "").strip().casefold()
    candidates = []
    for starter in starters:
        candidate = Candidate(starter)
        _hard(candidate, accompaniment, topic_names, needed)
        _soft(candidate, accompaniment, site_id, town, partners)
        candidates.append(candidate)
    candidates.sort(key=lambda c: (not c.suggested, -c.score, c.starter.name))
    return candidates


def _hard(candidate, accompaniment, topic_names, needed):
    starter = candidate.starter
    if starter.status != Starter.Status.ACTIVE:
        candidate.obstacles.append(
            _("status: %(status)s") % {"status": starter.get_status_display()}
        )
    if starter.free <= 0:
        candidate.obstacles.append(_("no free place"))
    affected = [topic_names[t.pk] for t in starter.excluded_topics.all() if t.pk in topic_names]
    if affected:
        candidate.affected = sorted(affected)
        candidate.obstacles.append(
            _("personally affected: %(topics)s") % {"topics": ", ".join(candidate.affected)}
        )
    has = {q.pk for q in starter.qualifications.all()}
    missing = [name for pk, name in needed.items() if pk not in has]
    if missing:
        candidate.obstacles.append(
            _("lacks: %(qualifications)s") % {"qualifications": ", ".join(sorted(missing))}
        )
    language = accompaniment.language
    if language and language.pk not in {lang.pk for lang in starter.languages.all()}:
        candidate.obstacles.append(_("does not speak %(language)s") % {"language": language})
    candidate.documents = blocking(starter)
    if candidate.documents:
        candidate.obstacles.append(
            _("documents: %(problems)s")
            % {"problems": "; ".join(d.problem for d in candidate.documents)}
        )


def _soft(candidate, accompaniment, site_id, town, partners):
    starter = candidate.starter
    weekday, time = accompaniment.meeting_weekday, accompaniment.meeting_time
    if weekday is not None:
        for slot in starter.availabilities.all():
            if slot.weekday == weekday and (time is None or slot.starts_at <= time < slot.ends_at):
                candidate.score += 3
                candidate.reasons.append(
                    _("available at the meeting time (%(slot)s)") % {"slot": slot}
                )
                break
    if site_id and site_id in {site.pk for site in starter.sites.all()}:
        candidate.score += 2
        candidate.reasons.append(_("reaches the meeting place"))
    elif town and town in {name.casefold() for name in starter.town_list}:
        candidate.score += 2
        candidate.reasons.append(_("reaches %(town)s") % {"town": accompaniment.group.city})
    if starter.experience:
        candidate.score += min(starter.experience, 2)
        candidate.reasons.append(
            _("%(count)s completed accompaniments of this kind") % {"count": starter.experience}
        )
    if starter.recent == 0:
        candidate.score += 2
        candidate.reasons.append(_("no accompaniment in the last 12 months"))
    elif starter.recent == 1:
        candidate.score += 1
        candidate.reasons.append(_("one accompaniment in the last 12 months"))
    if starter.pk in partners:
        candidate.score += 1
        candidate.reasons.append(_("worked well in a tandem with the starter already asked"))
