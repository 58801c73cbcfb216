"""Demo founding interests for the founding-interest exchange: people of both offices
who want a group on the same topics and agreed to be brought together."""

import datetime

from django.utils import timezone

from groups.models import Inquiry, Topic
from kontaktstelle.offices.models import Office

# (office slug, first name, topic, postcode, days ago)
INTERESTS = [
    ("musterstadt", "Ute", "Tinnitus", "12043", 40),
    ("musterstadt", "Rolf", "Tinnitus", "12349", 12),
    ("musterstadt", "Selin", "Lipödem", "12047", 30),
    ("musterstadt", "Karin", "Lipödem", "12051", 21),
    ("musterstadt", "Bernd", "Lipödem", "12057", 3),
    ("musterstadt", "Mira", "Long COVID", "12043", 9),
    ("beispielkreis", "Jan", "Tinnitus", "14467", 50),
    ("beispielkreis", "Heike", "Tinnitus", "14469", 33),
    ("beispielkreis", "Ole", "Tinnitus", "14471", 6),
    ("beispielkreis", "Nora", "Long COVID", "14467", 15),
]


def seed_founding_interests():
    """Create the demo interests once (none yet with consent to be matched)."""
    if Inquiry.objects.filter(match_consent_at__isnull=False).exists():
        return 0
    offices = {office.slug: office for office in Office.objects.all()}
    now = timezone.now()
    created = 0
    for slug, name, topic_name, postcode, days in INTERESTS:
        topic = Topic.objects.named(topic_name)
        if slug not in offices or topic is None:
            continue
        at = now - datetime.timedelta(days=days)
        inquiry = Inquiry.objects.create(
            office=offices[slug],
            kind=Inquiry.Kind.FOUNDING_INTEREST,
            name=name,
            email=f"{name.lower()}@example.net",
            topic=topic.name,
            consent_at=at,
            postcode_area=postcode[:3],
            match_consent_at=at,
        )
        Inquiry.objects.filter(pk=inquiry.pk).update(created_at=at)
        inquiry.topics.set([topic])
        created += 1
    return created
