"""A person's data: finding it, exporting it (Art. 15 and 20), erasing it (Art. 17)."""

import json
import re
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import Inquiry
from kontaktstelle.accounts.models import User
from kontaktstelle.audit import services as audit
from kontaktstelle.consent.models import Consent
from kontaktstelle.consent.services import PrivacyError, end_consents
from kontaktstelle.privacy.base import (
    EXPORT_FORMAT,
    EXPORT_VERSION,
    MIN_MENTION_LENGTH,
    SECRET_FIELDS,
)
from kontaktstelle.privacy.registry import BLANK, DELETE, KEEP, REGISTRY, Rule, registered_models
from kontaktstelle.web import public_cache
from starters.models import Starter

# --- Finding a person's data ---------------------------------------------------------


def normalise_phone(value):
    return re.sub(r"[\s/().-]", "", value or "")


def _phone_expression(field_name):
    expression = F(field_name)
    for separator in " /().-":
        expression = Replace(expression, Value(separator), Value(""))
    return expression


@dataclass
class Person:
    """Someone whose data an office holds: an account of the office, or a visitor known by
    the e-mail address or phone number they wrote in with."""

    office: Any
    user: Any = None
    email: str = ""
    phone: str = ""

    def __post_init__(self):
        if self.user is not None and not self.email:
            self.email = self.user.email
        self.phone = normalise_phone(self.phone)
        self.starter = Starter.objects.filter(user=self.user).first() if self.user else None
        self.name = self.user.name if self.user else ""

    def target(self, model):
        return self.user if model is User else self.starter

    def mention_texts(self):
        """What identifies the person in a free text: their e-mail and their full name."""
        texts = [self.email] if self.email else []
        if len(self.name.strip()) >= MIN_MENTION_LENGTH:
            texts.append(self.name.strip())
        return texts

    @property
    def label(self):
        return self.name or self.email or self.phone


def person_for_account(office, pk):
    """The person behind an account of ``office``; ``User.DoesNotExist`` for anyone else."""
    user = User.objects.get(pk=pk, membership__office=office)
    return Person(office=office, user=user)


def find_person(office, contact):
    """The account of ``office`` with this e-mail address, else a visitor known by it."""
    contact = contact.strip()
    if "@" in contact:
        user = User.objects.filter(membership__office=office, email__iexact=contact).first()
        return Person(office=office, user=user, email=contact)
    return Person(office=office, phone=contact)


@dataclass
class Place:
    """Rows where a person's data is held, and what erasure does with them."""

    model: Any
    rule: Rule
    action: str
    rows: Any
    how: str  # "account", a relation's name, "contact" or "mention"


def _contact_filter(model, rule, person):
    condition = Q()
    for name in rule.contact:
        model_field = model._meta.get_field(name)
        if person.email and (isinstance(model_field, models.EmailField) or name == "username"):
            condition |= Q(**{f"{name}__iexact": person.email})
        elif person.phone and not isinstance(model_field, models.EmailField) and "phone" in name:
            condition |= Q(**{f"_phone_{name}": person.phone})
    return condition


def _in_office(rows, rule, person):
    return rows.filter(**{rule.office_path: person.office}) if rule.office_path else rows


def _about(found, registered):
    """Rows of logs (``Rule.about``) that name one of the person's records."""
    result = []
    for model, rule in registered:
        if rule.about is None:
            continue
        type_field, id_field = rule.about
        condition = Q()
        for place in found:
            if place.action != KEEP and place.model is not model:
                condition |= Q(
                    **{
                        type_field: ContentType.objects.get_for_model(place.model),
                        f"{id_field}__in": [str(pk) for pk in _pks(place.rows)],
                    }
                )
        if condition:
            result.append(Place(model, rule, BLANK, model._base_manager.filter(condition), "about"))
    return result


def places(person):
    """Every place the person's data is held, as ``Place`` objects (rows may repeat)."""
    account = REGISTRY["kontaktstelle.user"]
    found = (
        [Place(User, account, BLANK, User.objects.filter(pk=person.user.pk), "account")]
        if person.user
        else []
    )
    registered = list(registered_models())
    for model, rule in registered:
        for name, action in rule.links.items():
            target = person.target(model._meta.get_field(name).related_model)
            if target is not None:
                rows = model._base_manager.filter(**{name: target})
                found.append(Place(model, rule, action, rows, name))
        condition = _contact_filter(model, rule, person) if rule.contact else Q()
        if condition:
            phones = {f"_phone_{name}": _phone_expression(name) for name in rule.contact}
            rows = model._base_manager.annotate(**phones).filter(condition)
            found.append(
                Place(model, rule, rule.on_contact, _in_office(rows, rule, person), "contact")
            )
        if rule.mentions and person.mention_texts():
            condition = Q()
            for text in person.mention_texts():
                for name in rule.mentions:
                    condition |= Q(**{f"{name}__icontains": text})
            rows = _in_office(model._base_manager.filter(condition), rule, person)
            found.append(Place(model, rule, DELETE, rows, "mention"))
    found += _about(found, registered)
    for model, rule in registered:
        for name, parent in rule.via.items():
            parents = [p for p in found if p.model._meta.label_lower == parent]
            pks = {pk for p in parents for pk in _pks(p.rows)}
            if pks:
                rows = model._base_manager.filter(**{f"{name}__in": pks})
                found.append(Place(model, rule, KEEP, rows, name))
    return found


def _pks(rows):
    return list(rows.values_list("pk", flat=True).distinct().order_by("pk"))


def overview(person):
    """What is held about the person and what erasure would do, for the confirmation page.

    A list of dicts: ``label`` (``app.model``), ``model`` (its verbose name, plural),
    ``count``, ``action`` and, for blanked rows, the labels of the fields cleared.
    """
    rows = {}
    for place in places(person):
        pks = _pks(place.rows)
        if not pks:
            continue
        key = (place.model._meta.label_lower, place.action)
        entry = rows.setdefault(
            key,
            {
                "label": place.model._meta.label_lower,
                "model": place.model._meta.verbose_name_plural,
                "action": place.action,
                "pks": set(),
                "fields": [
                    place.model._meta.get_field(name).verbose_name for name in place.rule.personal
                ]
                if place.action == BLANK
                else [],
            },
        )
        entry["pks"].update(pks)
    result = []
    for entry in rows.values():
        entry["count"] = len(entry.pop("pks"))
        result.append(entry)
    return sorted(result, key=lambda entry: (entry["action"], str(entry["model"])))


# --- Export (Art. 15 and 20) ----------------------------------------------------------


def export(person):
    """Everything stored about the person, as a JSON document (a string).

    One list of rows per model (``app.model``), each row with its id and its fields;
    relations are given as ids. Credentials (password and link hashes) are left out.
    """
    records = {}
    for place in places(person):
        pks = _pks(place.rows)
        if not pks:
            continue
        left_out = SECRET_FIELDS | set(place.rule.not_exported)
        names = [
            f.name
            for f in (*place.model._meta.concrete_fields, *place.model._meta.many_to_many)
            if f.name not in left_out and not f.primary_key
        ]
        serialised = serializers.serialize(
            "python", place.model._base_manager.filter(pk__in=pks).order_by("pk"), fields=names
        )
        rows = records.setdefault(place.model._meta.label_lower, {})
        for item in serialised:
            rows[item["pk"]] = {"id": item["pk"], **item["fields"]}
    document = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": timezone.now(),
        "office": person.office.name,
        "person": {
            "account": person.user.pk if person.user else None,
            "email": person.email,
            "phone": person.phone,
        },
        "records": {
            label: [rows[pk] for pk in sorted(rows)] for label, rows in sorted(records.items())
        },
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


@transaction.atomic
def record_export(acting, person):
    """The export as a string, with its audit entry written."""
    document = export(person)
    audit.record(
        acting,
        audit.Action.EXPORT,
        target=person.user or _("personal data of a visitor"),
        office=person.office,
    )
    return document


# --- Erasure (Art. 17) ----------------------------------------------------------------


def _empty(model_field):
    if model_field.null:
        return None
    if isinstance(model_field, models.BooleanField):
        return False
    if isinstance(model_field, models.JSONField):
        return model_field.get_default()
    return ""


def _blank(place, pks, now, **condition):
    """Blank the personal fields of rows ``pks`` (that still meet ``condition``)."""
    model, rule = place.model, place.rule
    values = {}
    for name in rule.personal:
        model_field = model._meta.get_field(name)
        if model_field.many_to_many:
            through = model_field.remote_field.through
            through.objects.filter(**{f"{model_field.m2m_field_name()}__in": pks}).delete()
        else:
            values[name] = _empty(model_field)
    for name, value in rule.erased.items():
        values[name] = value(now) if callable(value) else value
    rows = model._base_manager.filter(pk__in=pks, **condition)
    return rows.update(**values) if values else len(pks)


def anonymise_inquiries(inquiries, now=None):
    """Remove the personal data of these requests (name, contact data, topic, message).

    The rows stay, so that every count of the statistics stays the same. A conditional
    update: a request already anonymised (by another server, say) is left alone.
    Returns how many were anonymised here.
    """
    now = now or timezone.now()
    pks = _pks(inquiries.filter(anonymised_at__isnull=True))
    if Inquiry.objects.filter(pk__in=pks, match_consent_at__isnull=False).exists():
        public_cache.invalidate()  # "Gruppen in Gründung" may list a topic less
    place = Place(Inquiry, REGISTRY["groups.inquiry"], BLANK, None, "retention")
    return _blank(place, pks, now, anonymised_at__isnull=True)


@transaction.atomic
def erase(acting, person):
    """Erase the person's data, keeping what the anonymous statistics count.

    Personal fields are blanked, rows that only serve the person are deleted, the
    account is deactivated and anonymised, consents are ended, and the audit trail and
    admin log no longer name them. Meeting logs, assignments, accompaniments,
    consultations and requests stay as rows, so every figure stays the same.
    Raises ``PrivacyError`` for one's own account or a starter still taking part in an
    open accompaniment. Returns ``overview`` as it was before.
    """
    if person.user is not None:
        if person.user.pk == acting.pk:
            raise PrivacyError(_("You cannot erase your own account."))
        if person.user.is_superuser:
            raise PrivacyError(_("The account of a platform operator cannot be erased here."))
    if person.starter is not None:
        starter = Starter.objects.select_for_update().get(pk=person.starter.pk)
        if starter.load:
            raise PrivacyError(
                _(
                    "%(name)s still has open offers or running accompaniments. Withdraw "
                    "the offers or end the accompaniments first."
                )
                % {"name": starter.name}
            )
    summary = overview(person)
    now = timezone.now()
    if person.starter is not None:
        end_consents(acting, Consent.objects.filter(starter=person.starter), now)
    found = places(person)
    end_consents(
        acting,
        Consent.objects.filter(
            inquiry__in=[pk for place in found if place.model is Inquiry for pk in _pks(place.rows)]
        ),
        now,
    )
    audit.record(
        acting,
        audit.Action.PERSONAL_DATA_DELETED,
        target=person.user or _("personal data of a visitor"),
        office=person.office,
        changes=[str(entry["model"]) for entry in summary],
    )
    handled = set()
    # The account last: until then the person's rows are found through it.
    for place in sorted(found, key=lambda place: place.model is User):
        rule = place.rule
        if rule.erase_with is not None:
            if place.model not in handled:
                handled.add(place.model)
                rule.erase_with(person, found)
            continue
        pks = _pks(place.rows)
        if not pks or place.action == KEEP:
            continue
        if place.action == DELETE:
            place.model._base_manager.filter(pk__in=pks).delete()
        else:
            _blank(place, pks, now)
    # A group's page may have shown the person's contact data; the blanking above
    # bypasses the signals that empty the cache of public pages.
    public_cache.invalidate()
    return summary
