"""Three years of anonymous demo consultations, so the statistics look real."""

import datetime
import random

from django.db.models import Count
from django.utils import timezone

from groups import referrals
from groups.models import Consultation, Group, ReferralAnswer, ReferralFollowUp, Topic

PER_YEAR = 1000
YEARS = 3
SEED = 20261123

# A believable mix: (channel, weight), (who asks, weight).
CHANNELS = [("phone", 48), ("in_person", 20), ("email", 17), ("web_form", 10), ("outreach", 5)]
ASKERS = [("affected", 62), ("relative", 24), ("professional", 11), ("other", 3)]
# Topics asked for most often at contact offices, by their weight; others share the rest.
FAVOURITES = {
    "Depression": 14,
    "Angst": 9,
    "Sucht": 8,
    "Alkohol": 7,
    "Trauer": 5,
    "Long COVID": 4,
    "Krebs": 4,
    "ADHS": 4,
    "Pflegende Angehörige": 4,
    "Essstörungen": 3,
}
COUNSELLING = ["addiction", "psychosocial", "psychotherapy", "medical", "social", "family"]
# Referrals whose person agreed to the follow-up e-mail, of those who then answered, and
# their answers, by weight.
FOLLOW_UP_CONSENT = 0.35
FOLLOW_UP_ANSWERED = 0.7
FOLLOW_UP_ANSWERS = [("arrived", 62), ("not_made_it", 24), ("not_suitable", 14)]
# Fewer consultations in summer holidays and around Christmas.
MONTH_WEIGHTS = [10, 10, 10, 9, 9, 8, 6, 6, 9, 10, 10, 7]


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def seed_consultations(office, per_year=PER_YEAR):
    """About ``per_year`` consultations a year for the last three years; idempotent."""
    if Consultation.objects.filter(office=office).exists():
        return 0
    rng = random.Random(f"{SEED}-{office.slug}")  # noqa: S311 - demo data, not secrets  # nosec B311
    today = timezone.localdate()
    topics = list(Topic.objects.annotate(n=Count("groups")).order_by("name"))
    if not topics:
        return 0
    weights = [
        FAVOURITES.get(topic.name, 0) * 12
        or next(
            (w * 6 for name, w in FAVOURITES.items() if name.casefold() in topic.name.casefold()), 0
        )
        or 1 + min(topic.n, 3)
        for topic in topics
    ]
    groups_by_topic = {}
    for group in (
        Group.objects.filter(office=office)
        .exclude(status=Group.Status.CLOSED)
        .prefetch_related("topics")
    ):
        for topic in group.topics.all():
            groups_by_topic.setdefault(topic.pk, []).append(group)
    sites = list(office.sites.order_by("name"))
    consultations, topic_links, group_links = [], [], []
    start = today - datetime.timedelta(days=365 * YEARS)
    days = [start + datetime.timedelta(days=n) for n in range((today - start).days + 1)]
    days = [day for day in days if day.weekday() < 5]
    day_weights = [MONTH_WEIGHTS[day.month - 1] for day in days]
    for held_on in sorted(rng.choices(days, weights=day_weights, k=per_year * YEARS)):
        chosen = rng.choices(topics, weights=weights, k=rng.choice([1, 1, 1, 2]))
        chosen = list({topic.pk: topic for topic in chosen}.values())
        candidates = [group for topic in chosen for group in groups_by_topic.get(topic.pk, [])]
        roll = rng.random()
        referred = (
            rng.sample(candidates, k=min(len(candidates), rng.choice([1, 1, 2])))
            if candidates and roll < 0.62
            else []
        )
        counselling = rng.choice(COUNSELLING) if roll > 0.55 and rng.random() < 0.5 else ""
        founding = not referred and rng.random() < 0.18
        information = not (referred or counselling or founding)
        consultations.append(
            Consultation(
                office=office,
                site=rng.choice(sites) if sites else None,
                held_on=held_on,
                channel=_weighted(rng, CHANNELS),
                asker=_weighted(rng, ASKERS),
                young=rng.random() < 0.14,
                counselling=counselling,
                founding_interest=founding,
                information_only=information,
            )
        )
        topic_links.append(chosen)
        group_links.append(referred)
    created = Consultation.objects.bulk_create(consultations, batch_size=500)
    Consultation.topics.through.objects.bulk_create(
        [
            Consultation.topics.through(consultation_id=c.pk, topic_id=t.pk)
            for c, chosen in zip(created, topic_links, strict=True)
            for t in chosen
        ],
        batch_size=1000,
    )
    Consultation.referred_groups.through.objects.bulk_create(
        [
            Consultation.referred_groups.through(consultation_id=c.pk, group_id=g.pk)
            for c, referred in zip(created, group_links, strict=True)
            for g in referred
        ],
        batch_size=1000,
    )
    seed_follow_ups(rng, created, group_links, today)
    return len(created)


def seed_follow_ups(rng, consultations, group_links, today):
    """Follow-ups of the last year's referrals: answered or expired ones without an
    address, and a few recent ones still waiting for their e-mail."""
    since = today - datetime.timedelta(days=365)
    follow_ups, answers = [], []
    for consultation, referred in zip(consultations, group_links, strict=True):
        if not referred or consultation.held_on < since or rng.random() > FOLLOW_UP_CONSENT:
            continue
        held = timezone.make_aware(
            datetime.datetime.combine(consultation.held_on, datetime.time(10))
        )
        sent = held + referrals.send_after()
        if consultation.held_on > today - referrals.send_after():  # not sent yet
            email = f"demo-rueckmeldung-{consultation.pk}@example.org"
            follow_ups.append(ReferralFollowUp(consultation=consultation, email=email))
            continue
        answered = rng.random() < FOLLOW_UP_ANSWERED
        follow_up = ReferralFollowUp(
            consultation=consultation,
            sent_at=sent,
            answered_at=sent + datetime.timedelta(days=rng.randint(0, 6)) if answered else None,
        )
        follow_ups.append(follow_up)
        if answered:
            answers.extend((follow_up, group) for group in referred)
    ReferralFollowUp.objects.bulk_create(follow_ups, batch_size=500)
    ReferralAnswer.objects.bulk_create(
        [
            ReferralAnswer(
                follow_up=follow_up, group=group, answer=_weighted(rng, FOLLOW_UP_ANSWERS)
            )
            for follow_up, group in answers
        ],
        batch_size=1000,
    )
