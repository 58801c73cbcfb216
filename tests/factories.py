import datetime

import factory
from django.utils import timezone

from kontaktstelle.accounts.models import Membership, User
from kontaktstelle.offices.models import Network, Office, Room, Site

PASSWORD = "correct-horse-battery"


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network

    name = factory.Sequence(lambda n: f"Netzwerk {n}")


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office

    name = factory.Sequence(lambda n: f"Selbsthilfe-Kontaktstelle {n}")
    slug = factory.Sequence(lambda n: f"stelle-{n}")
    network = factory.SubFactory(NetworkFactory)


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    office = factory.SubFactory(OfficeFactory)
    name = factory.Sequence(lambda n: f"Standort {n}")
    street = "Lindenstraße 1"
    postcode = "12345"
    city = "Musterstadt"
    phone = "0123 4567"
    opening_hours = "Mo 9–12 Uhr\nDo 14–18 Uhr"


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Raum {n}")
    capacity = 12
    step_free = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def member(role, office=None, network=None, **user_fields):
    """A user with one membership: office roles need an office, coordinators a network."""
    user = UserFactory(**user_fields)
    Membership.objects.create(user=user, role=role, office=office, network=network)
    return user


class TopicCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "groups.TopicCategory"

    name = factory.Sequence(lambda n: f"Testkategorie {n}")
    slug = factory.Sequence(lambda n: f"testkategorie-{n}")


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "groups.Topic"

    category = factory.SubFactory(TopicCategoryFactory)
    name = factory.Sequence(lambda n: f"Testthema {n}")


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "groups.Group"
        skip_postgeneration_save = True

    office = factory.SubFactory(OfficeFactory)
    name = factory.Sequence(lambda n: f"Selbsthilfegruppe {n}")
    slug = factory.Sequence(lambda n: f"selbsthilfegruppe-{n}")
    description = "Wir treffen uns, um uns auszutauschen."
    city = "Musterstadt"
    schedule = "jeden 2. Dienstag, 19 Uhr"

    @factory.post_generation
    def topics(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.topics.set(extracted)

    @factory.post_generation
    def created_days_ago(obj, create, extracted, **kwargs):
        """``created_days_ago=800``: a record the office has kept for years."""
        if create and extracted:
            created = timezone.now() - datetime.timedelta(days=extracted)
            type(obj).objects.filter(pk=obj.pk).update(created_at=created)
            obj.created_at = created


class StarterFactory(factory.django.DjangoModelFactory):
    """A starter profile with its account and role; pass ``user=`` to reuse an account."""

    class Meta:
        model = "starters.Starter"
        skip_postgeneration_save = True

    class Params:
        user_name = factory.Sequence(lambda n: f"In-Gang-Setzer:in {n}")

    office = factory.SubFactory(OfficeFactory)
    user = factory.LazyAttribute(
        lambda o: member(Membership.Role.STARTER, office=o.office, name=o.user_name)
    )
    phone = "0123 456789"
    status = "active"

    @factory.post_generation
    def qualifications(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.qualifications.set(extracted)


class TrainingCohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "starters.TrainingCohort"

    office = factory.SubFactory(OfficeFactory)
    name = factory.Sequence(lambda n: f"Schulung {n}")
    starts_on = datetime.date(2026, 2, 1)
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + datetime.timedelta(days=60))
    hours = 40


class TrainingEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "starters.TrainingEvent"

    office = factory.SubFactory(OfficeFactory)
    kind = "exchange"
    title = factory.Sequence(lambda n: f"Austauschtreffen {n}")
    date = datetime.date(2026, 6, 1)
    hours = 2
