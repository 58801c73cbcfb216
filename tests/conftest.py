"""Personas as in PRODUCT.md: each test names the people it needs."""

import logging

import pytest
from django.core.cache import cache

from groups import search
from kontaktstelle.accounts.models import Membership
from tests.factories import (
    NetworkFactory,
    OfficeFactory,
    RoomFactory,
    SiteFactory,
    StarterFactory,
    member,
)

Role = Membership.Role


@pytest.fixture
def network(db):
    return NetworkFactory(name="IGS-Netzwerk")


@pytest.fixture
def office(network):
    return OfficeFactory(name="KISS Musterstadt", slug="musterstadt", network=network)


@pytest.fixture
def other_office(network):
    return OfficeFactory(name="Selbsthilfebüro Anderswo", slug="anderswo", network=network)


@pytest.fixture
def site(office):
    site = SiteFactory(office=office, name="Standort Mitte")
    RoomFactory(site=site, name="Gruppenraum 1")
    return site


@pytest.fixture
def other_site(other_office):
    return SiteFactory(office=other_office, name="Standort Anderswo")


@pytest.fixture
def staff(office):
    return member(Role.STAFF, office=office, email="fachkraft@example.org", name="Jonas Berger")


@pytest.fixture
def office_admin(office):
    return member(Role.OFFICE_ADMIN, office=office, email="leitung@example.org", name="Petra L.")


@pytest.fixture
def other_staff(other_office):
    return member(Role.STAFF, office=other_office, email="fremd@example.org", name="Lena Vogt")


@pytest.fixture
def other_office_admin(other_office):
    return member(Role.OFFICE_ADMIN, office=other_office, email="leitung2@example.org")


@pytest.fixture
def starter(office):
    """A starter's account; their profile is ``starter.starter``."""
    user = member(Role.STARTER, office=office, email="igs@example.org", name="Maria Schneider")
    StarterFactory(office=office, user=user)
    return user


@pytest.fixture
def other_starter(office):
    """Another starter of the same office: must not see the first one's records."""
    user = member(Role.STARTER, office=office, email="igs2@example.org", name="Thomas Weber")
    StarterFactory(office=office, user=user)
    return user


@pytest.fixture
def other_office_starter(other_office):
    user = member(Role.STARTER, office=other_office, email="igs3@example.org", name="Ali Kaya")
    StarterFactory(office=other_office, user=user)
    return user


@pytest.fixture
def coordinator(network):
    return member(Role.COORDINATOR, network=network, email="koordination@example.org")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (search vocabulary, rate limits)."""
    cache.clear()
    search.forget_held()
    yield
    cache.clear()
    search.forget_held()


@pytest.fixture(autouse=True)
def fail_on_logged_errors(caplog):
    """A test that makes the app log an error fails, even if its assertions pass."""
    yield
    errors = [
        record
        for record in caplog.get_records("call")
        if record.levelno >= logging.ERROR and record.name != "django.request"
    ]
    assert not errors, [record.getMessage() for record in errors]
