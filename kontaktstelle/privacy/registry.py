"""The registry of personal data, and the check that no model is missing from it."""

from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import models
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat

from kontaktstelle.accounts.models import User
from kontaktstelle.audit.models import AuditEntry
from kontaktstelle.privacy.base import PROJECT_APPS
from starters.models import Starter

DELETE = "delete"  # rows of the person are deleted
BLANK = "blank"  # rows stay (they count), their personal fields are blanked
KEEP = "keep"  # rows stay as they are: they only point at the anonymised account


@dataclass(frozen=True)
class Rule:
    """How one model holds personal data.

    ``personal``: fields with personal data: exported, blanked by erasure.
    ``reviewed``: name-like or free-text fields checked to hold nothing personal.
    ``links``: each relation to a user or a starter, and what erasure does with the rows
    that point at the person through it.
    ``contact``: e-mail or phone fields a person without an account is found by;
    ``on_contact`` is what erasure does with those rows.
    ``mentions``: free texts that may name the person (full name or e-mail address);
    erasure deletes the rows of the person's office that do.
    ``office_path``: the lookup of the office, to search contacts and mentions only in
    the person's office; empty for records of the whole installation.
    ``via``: relations to another registered model: rows pointing at that model's rows of
    the person belong to the person too (exported, kept).
    ``about``: the content type and object id fields of a log that names other records:
    its rows about the person's records are exported and blanked.
    ``erased``: further values set on blanked rows (callables take the time of erasure).
    ``erase_with``: a function that erases the person's data instead, given the person
    and the places found (see ``places``).
    ``not_exported``: personal data of others in the rows (e.g. staff's IP addresses).
    """

    personal: tuple[str, ...] = ()
    reviewed: tuple[str, ...] = ()
    links: dict[str, str] = field(default_factory=dict)
    contact: tuple[str, ...] = ()
    on_contact: str = BLANK
    mentions: tuple[str, ...] = ()
    office_path: str = "office"
    via: dict[str, str] = field(default_factory=dict)
    about: tuple[str, str] | None = None
    erased: dict[str, Any] = field(default_factory=dict)
    erase_with: Any = None
    not_exported: tuple[str, ...] = ()


def _anonymise_audit_trail(person, found):
    return AuditEntry.anonymise_person(person.user) if person.user else 0


REGISTRY: dict[str, Rule] = {
    # kontaktstelle
    "kontaktstelle.user": Rule(
        personal=("name", "email", "password", "last_login"),
        erased={
            "email": Concat(Value("erased-"), Cast("pk", CharField()), Value("@erased.invalid")),
            "password": UNUSABLE_PASSWORD_PREFIX,  # no usable hash starts with it
            "is_active": False,
            "is_staff": False,
            "is_superuser": False,
        },
    ),
    "kontaktstelle.network": Rule(reviewed=("name",)),
    # The office's and its sites' own contact data, not a person's; the websites that may
    # embed its directory.
    "kontaktstelle.office": Rule(
        reviewed=("name", "slug", "email", "phone", "website", "introduction", "embed_origins")
    ),
    "kontaktstelle.site": Rule(
        reviewed=("name", "street", "postcode", "city", "phone", "email", "opening_hours")
    ),
    "kontaktstelle.room": Rule(reviewed=("name",)),
    "kontaktstelle.membership": Rule(links={"user": KEEP}),
    "kontaktstelle.invitation": Rule(
        reviewed=("token_hash",), links={"user": DELETE, "invited_by": KEEP}
    ),
    "kontaktstelle.notification": Rule(
        personal=("subject", "body"),
        reviewed=("key", "url", "by_email"),
        links={"user": DELETE},
        mentions=("subject", "body"),
        office_path="user__membership__office",
    ),
    # Operations: an e-mail waiting to be sent (deleted once sent), hashed counters.
    "kontaktstelle.outgoingemail": Rule(
        personal=("recipient", "subject", "body"),
        contact=("recipient",),
        on_contact=DELETE,
        office_path="",
    ),
    "kontaktstelle.ratelimitevent": Rule(reviewed=("scope", "key")),
    "kontaktstelle.cacheversion": Rule(reviewed=("name",)),
    "kontaktstelle.notificationpreference": Rule(reviewed=("by_email",), links={"user": DELETE}),
    "kontaktstelle.auditentry": Rule(
        personal=("actor_label", "target_label", "ip_address"),
        reviewed=("target_id", "fields", "request_id"),
        links={"actor": BLANK, "subject": BLANK},
        erase_with=_anonymise_audit_trail,
        not_exported=("ip_address",),  # where staff looked at the person's data
    ),
    "kontaktstelle.legaltext": Rule(reviewed=("body",), links={"updated_by": KEEP}),
    "kontaktstelle.consent": Rule(
        reviewed=("text", "text_sha256", "language"),
        links={"starter": KEEP, "recorded_by": KEEP, "withdrawn_by": KEEP},
        via={"inquiry": "groups.inquiry"},
    ),
    # groups and starters: each app declares its own (``<app>/privacy.py``), collected below
    # Installed apps whose models point at a user or hold a login name.
    "admin.logentry": Rule(
        personal=("object_repr", "change_message"),
        reviewed=("object_id",),
        links={"user": KEEP},
        about=("content_type", "object_id"),
    ),
    "otp_totp.totpdevice": Rule(reviewed=("name", "key"), links={"user": DELETE}),
    "otp_static.staticdevice": Rule(reviewed=("name",), links={"user": DELETE}),
    # Login attempts and logins, by the login name typed (the e-mail address).
    **dict.fromkeys(
        ("axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"),
        Rule(
            personal=("username", "ip_address", "user_agent"),
            contact=("username",),
            on_contact=DELETE,
            office_path="",
        ),
    ),
}
for _app in ("groups", "starters"):
    REGISTRY |= {
        label: Rule(**rule) for label, rule in import_module(f"{_app}.privacy").RULES.items()
    }

# Words in a field's name that say it may hold something about a person.
NAME_LIKE = {
    "name",
    "email",
    "mail",
    "phone",
    "note",
    "notes",
    "message",
    "reason",
    "text",
    "body",
    "subject",
    "contact",
    "street",
    "address",
}


def _name_like(field_name):
    return bool(NAME_LIKE & set(field_name.split("_")))


PERSON_MODELS = (User, Starter)


def _points_at_person(model_field):
    return (
        model_field.is_relation
        and not model_field.auto_created
        and model_field.related_model in PERSON_MODELS
    )


def _is_free_text(model_field):
    text_types = (models.CharField, models.TextField, models.JSONField)
    return isinstance(model_field, text_types) and not model_field.choices


def registered_models():
    """(model, rule) of every registered model that is installed."""
    for label, rule in REGISTRY.items():
        try:
            yield apps.get_model(label), rule
        except LookupError:  # an optional app that is not installed
            continue


def registry_problems(candidates=None):
    """What ``REGISTRY`` misses or gets wrong, as sentences; empty when it is complete.

    Checked: every model of the project apps and every installed model with a relation
    to a user or a starter is registered; each such relation has a rule; each name-like
    or free-text field of a project model is either personal or reviewed; every field
    named in a rule exists.
    """
    problems = []
    for model in candidates or apps.get_models():
        label = model._meta.label_lower
        own = model._meta.app_label in PROJECT_APPS
        links = [f.name for f in model._meta.get_fields() if _points_at_person(f)]
        rule = REGISTRY.get(label)
        if rule is None:
            if own or links:
                problems.append(f"{label}: not in the registry")
            continue
        problems += [
            f"{label}.{name}: relation to a person without a rule"
            for name in links
            if name not in rule.links
        ]
        classified = {*rule.personal, *rule.reviewed, *rule.links, *rule.contact}
        if own:
            problems += [
                f"{label}.{f.name}: neither personal nor reviewed"
                for f in model._meta.concrete_fields
                if (_is_free_text(f) or (_name_like(f.name) and not f.choices))
                and f.name not in classified
            ]
        names = {f.name for f in model._meta.get_fields()}
        problems += [
            f"{label}.{name}: no such field"
            for name in sorted(
                classified
                | {*rule.erased, *rule.mentions, *rule.via, *rule.not_exported, *(rule.about or ())}
            )
            if name not in names
        ]
    return problems
