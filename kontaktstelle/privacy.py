"""Data protection duties (GDPR): consent records, the registry of personal data, and a
person's export (Art. 15 and 20) and erasure (Art. 17).

``REGISTRY`` says, for every model of the project and every installed model that points
at a user, which fields hold personal data and what erasure does with the rows that
belong to a person. Export and erasure are driven by it alone, and
``registry_problems`` (run by the tests) reports a model, a relation to a user or a
starter, or a name-like or free-text field that it does not mention, so a new model
cannot be forgotten.
"""

import datetime
import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Cast, Concat, Replace
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from groups.models import Group, GroupChange, Inquiry
from kontaktstelle import audit
from kontaktstelle.consents import Consent
from kontaktstelle.models import AuditEntry, User
from starters.models import Starter

PROJECT_APPS = ("kontaktstelle", "groups", "starters")
EXPORT_FORMAT = "kontaktstelle-personal-data"
EXPORT_VERSION = 1
# Credentials: erased with the account, never written into an export.
SECRET_FIELDS = {"password", "token_hash", "calendar_token_hash", "key"}
# A name shorter than this is not searched for in free texts (too many false matches).
MIN_MENTION_LENGTH = 5


class PrivacyError(Exception):
    """An export, erasure or withdrawal that cannot be done; the message is for users."""


# --- Consent records --------------------------------------------------------------


def record_web_consent(inquiry, text):
    """Record the consent a visitor gave on a public form, with the exact text shown.

    Call it in the transaction that creates the request.
    """
    return Consent.objects.create(
        office=inquiry.office,
        scope=Consent.Scope.INQUIRY,
        inquiry=inquiry,
        text=str(text),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        channel=Consent.Channel.WEB_FORM,
        given_at=inquiry.consent_at,
        recorded_by=None,
    )


def _group_consent_text(group):
    return _(
        "The group agreed to have its contact data published in the directory of "
        "%(office)s. Agreed scope: %(scope)s"
    ) % {"office": group.office, "scope": group.consent_scope or _("as entered by the office")}


def _starter_consent_text(starter):
    return _(
        "Consent to %(office)s storing and processing their personal data for the "
        "In-Gang-Setzer programme, given with the volunteer agreement."
    ) % {"office": starter.office}


# Per model of the subject: its scope, and for consents staff record, the date field
# on its form and the text of the record.
CONSENT_SUBJECTS = {
    Inquiry: (Consent.Scope.INQUIRY, None, None),
    Group: (Consent.Scope.GROUP_PUBLICATION, "consent_published_on", _group_consent_text),
    Starter: (Consent.Scope.STARTER_DATA, "consent_given_on", _starter_consent_text),
}


def _start_of(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _consents_of(subject):
    scope = CONSENT_SUBJECTS[type(subject)][0]
    return Consent.objects.filter(**{Consent.SUBJECT_FIELDS[scope]: subject})


def _end_consents(acting, consents, now):
    return consents.filter(withdrawn_at__isnull=True).update(withdrawn_at=now, withdrawn_by=acting)


@transaction.atomic
def sync_consent(acting, subject, channel=None):
    """Make the consent record in force match the date staff entered on the subject's form.

    ``subject`` is a group (consent to publish its contact data) or a starter (consent to
    data processing); ``channel`` is how it was given (on paper when not said). A new
    date records a consent, a corrected date or scope corrects the record, a cleared
    date withdraws it. Returns the record in force, or None.
    """
    scope, date_field, make_text = CONSENT_SUBJECTS[type(subject)]
    given_on = getattr(subject, date_field)
    active = _consents_of(subject).select_for_update().active().first()
    if given_on is None:
        if active:
            _end_consents(acting, Consent.objects.filter(pk=active.pk), timezone.now())
        return None
    with translation.override(settings.LANGUAGE_CODE):  # the office's language, as signed
        text = make_text(subject)
    values = {
        "given_at": _start_of(given_on),
        "text": text,
        "channel": channel or Consent.Channel.PAPER,
        "recorded_by": acting,
    }
    if active is None:
        return Consent.objects.create(
            office=subject.office,
            scope=scope,
            language=settings.LANGUAGE_CODE,
            **{Consent.SUBJECT_FIELDS[scope]: subject},
            **values,
        )
    if (active.given_at, active.text) != (values["given_at"], text):
        for name, value in values.items():
            setattr(active, name, value)
        active.save()
    return active


@transaction.atomic
def withdraw_consent(acting, subject):
    """Record that the consent for ``subject`` was withdrawn, and apply it at once.

    - a group: its own e-mail address and phone leave the directory (contact runs
      through the office) and its meeting place is no longer shown;
    - a request (inquiry): its personal data is removed; it still counts;
    - a starter: the date of consent is cleared.

    Raises ``PrivacyError`` when no consent is in force.
    """
    model = type(subject)
    subject = model.objects.select_for_update().get(pk=subject.pk)
    date_field = CONSENT_SUBJECTS[model][1]
    consents = _consents_of(subject)
    in_force = consents.active().exists() or (
        getattr(subject, date_field) is not None if date_field else subject.anonymised_at is None
    )
    if not in_force:
        raise PrivacyError(_("There is no consent in force to withdraw."))
    now = timezone.now()
    _end_consents(acting, consents, now)
    if model is Group:
        changes = _withdraw_publication(acting, subject)
    elif model is Inquiry:
        anonymise_inquiries(Inquiry.objects.filter(pk=subject.pk), now)
        changes = [Inquiry._meta.get_field(name).verbose_name for name in INQUIRY_PERSONAL]
    else:
        setattr(subject, date_field, None)
        subject.save(update_fields=[date_field, "updated_at"])
        changes = [model._meta.get_field(date_field).verbose_name]
    audit.record(acting, audit.Action.PERSONAL_DATA_CHANGED, target=subject, changes=changes)
    return subject


def _withdraw_publication(acting, group):
    """The group's own contact data leaves the directory; what changed, as field labels."""
    values = {
        "consent_published_on": None,
        "consent_scope": "",
        "contact_route": Group.ContactRoute.OFFICE,
        "public_email": "",
        "public_phone": "",
    }
    if group.listing == Group.Listing.PUBLIC_WITH_PLACE:
        values["listing"] = Group.Listing.PUBLIC_WITHOUT_PLACE
    changed = [name for name, value in values.items() if getattr(group, name) != value]
    for name, value in values.items():
        setattr(group, name, value)
    group.save(update_fields=[*values, "updated_at"])
    labels = [str(Group._meta.get_field(name).verbose_name) for name in changed]
    GroupChange.objects.create(
        group=group, user=acting, action=GroupChange.Action.CHANGED, fields=labels
    )
    return labels


# --- The registry of personal data ---------------------------------------------------

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


INQUIRY_PERSONAL = ("name", "email", "phone", "topic", "message")


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
    # The office's and its sites' own contact data, not a person's.
    "kontaktstelle.office": Rule(
        reviewed=("name", "slug", "email", "phone", "website", "introduction")
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
        reviewed=("key", "url"),
        links={"user": DELETE},
        mentions=("subject", "body"),
        office_path="user__membership__office",
    ),
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
    # groups
    "groups.topiccategory": Rule(reviewed=("name", "slug")),
    "groups.topic": Rule(reviewed=("name",)),
    "groups.synonym": Rule(reviewed=("term",)),
    "groups.group": Rule(
        # The group's contact person and its own address; staff notes may name them.
        personal=(
            "contact_name",
            "contact_email",
            "contact_phone",
            "public_email",
            "public_phone",
            "internal_notes",
        ),
        reviewed=(
            "name",
            "slug",
            "description",
            "languages",
            "schedule",
            "street",
            "postcode",
            "city",
            "district",
            "consent_scope",
        ),
        contact=("contact_email", "public_email", "contact_phone", "public_phone"),
        erased={"contact_route": Group.ContactRoute.OFFICE},
    ),
    "groups.groupchange": Rule(reviewed=("fields",), links={"user": KEEP}),
    "groups.groupsearchterm": Rule(reviewed=("term",)),
    "groups.inquiry": Rule(
        personal=INQUIRY_PERSONAL,
        contact=("email", "phone"),
        erased={"anonymised_at": lambda now: now},
    ),
    "groups.consultation": Rule(links={"created_by": KEEP}),  # anonymous by design
    # starters
    "starters.language": Rule(reviewed=("code", "name")),
    "starters.qualification": Rule(reviewed=("name",)),
    "starters.starter": Rule(
        personal=(
            "phone",
            "towns",
            "notes",
            "calendar_token_hash",
            "paused_until",
            "has_car",
            "uses_public_transport",
            "agreement_signed_on",
            "consent_given_on",
            "languages",
            "sites",
            "excluded_topics",  # topics that affect them personally: health data
            "qualifications",
        ),
        links={"user": BLANK},
        erased={
            "status": Starter.Status.RETIRED,
            "status_since": lambda now: timezone.localdate(now),
            "capacity": 0,
        },
    ),
    "starters.availability": Rule(links={"starter": DELETE}),
    "starters.trainingcohort": Rule(
        reviewed=("name", "place", "trainers"), links={"participants": KEEP}
    ),
    "starters.cohortparticipation": Rule(links={"starter": KEEP}),
    "starters.trainingevent": Rule(
        reviewed=("title", "place", "trainers"), links={"attendees": KEEP}
    ),
    "starters.attendance": Rule(links={"starter": KEEP}),
    "starters.certificate": Rule(
        personal=("content",), links={"starter": DELETE, "signed_by": KEEP}
    ),
    "starters.accompaniment": Rule(
        # "Asked by" names a group member (a role or first name), not someone found here.
        personal=("requested_by",),
        reviewed=(
            "meeting_place",
            "agreement",
            "extension_reason",
            "outcome_note",
            "cancel_reason",
        ),
        links={"responsible": KEEP},
    ),
    "starters.assignment": Rule(
        personal=("decline_reason", "choice_reason"),
        links={"starter": BLANK, "offered_by": KEEP},
    ),
    "starters.meetinglog": Rule(
        personal=("process_note",),
        reviewed=("worked_on",),
        links={"logged_by": BLANK, "accompanied_by": BLANK},
    ),
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


def _registered_models():
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
    registered = list(_registered_models())
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
        _end_consents(acting, Consent.objects.filter(starter=person.starter), now)
    found = places(person)
    _end_consents(
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
    return summary
