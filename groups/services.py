"""State changes of groups, inquiries and consultations.

Each runs in a transaction; a change to a group writes its history (``record_change``,
the one writer of ``GroupChange``) in the same transaction.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from groups import exchange, geo, referrals
from groups.models import Consultation, Group, GroupChange, Inquiry, Synonym, Topic
from groups.search import reindex_groups
from kontaktstelle.audit import services as audit
from kontaktstelle.consent import services as consent
from kontaktstelle.consent.models import Consent
from kontaktstelle.web import public_cache


class GroupError(Exception):
    """A change that the group's current state does not allow; the message is for users."""


# Public addresses under /gruppen/ that are pages, not groups.
RESERVED_SLUGS = {"in-gruendung", "gruenden", "danke", "druck"}


def record_change(group, user, action, fields=()):
    """One entry of a group's history: who (None: the system) did what, which fields."""
    return GroupChange.objects.create(group=group, user=user, action=action, fields=list(fields))


def unique_slug(name, exclude_pk=None):
    """A slug for the public address, unique across all offices."""
    base = slugify(name.replace("ß", "ss"))[:200] or "gruppe"
    slug, number = base, 2
    taken = Group.objects.exclude(pk=exclude_pk)
    while slug in RESERVED_SLUGS or taken.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def create_group(user, form):
    """Save a new group of the user's office from a valid form; history: "created"."""
    group = form.save(commit=False)
    group.office = user.office
    group.slug = unique_slug(group.name)
    group.save()
    form.save_m2m()
    record_change(group, user, GroupChange.Action.CREATED)
    consent.sync_consent(user, group, form.cleaned_data.get("consent_channel"))
    reindex_groups([group.pk])
    return group


@transaction.atomic
def found_group(user, name, slug_base, topics):
    """A group being founded, unlisted until the office publishes it, with its topics."""
    group = Group.objects.create(
        office=user.office,
        name=name,
        slug=unique_slug(slug_base),
        status=Group.Status.FOUNDING,
        listing=Group.Listing.UNLISTED,
    )
    group.topics.set(topics)
    record_change(group, user, GroupChange.Action.CREATED)
    reindex_groups([group.pk])
    return group


@transaction.atomic
def update_group(user, form):
    """Save a valid edit form; history lists the labels of the fields that changed."""
    group = form.save()
    labels = audit.changed_labels(form)
    if labels:
        record_change(group, user, GroupChange.Action.CHANGED, labels)
    consent.sync_consent(user, group, form.cleaned_data.get("consent_channel"))
    reindex_groups([group.pk])
    return group


@transaction.atomic
def close_group(user, group):
    """Mark a group closed: it leaves every public page; the record stays for staff."""
    group = Group.objects.select_for_update().get(pk=group.pk)
    if group.status == Group.Status.CLOSED:
        raise GroupError(_("This group is already closed."))
    group.status = Group.Status.CLOSED
    group.save(update_fields=["status", "updated_at"])
    record_change(group, user, GroupChange.Action.CLOSED)
    return group


@transaction.atomic
def receive_inquiry(form, office, kind, group=None, user=None):
    """Store a visitor's request with the record of their consent, in its exact wording.

    A founding interest also gets its thesaurus topics, its postcode area and, if given,
    the consent to be matched (recorded in its wording too); the offices whose alert
    region holds it are checked once it is committed. ``user``: staff who entered it
    (the consents are then recorded as given through ``consent_channel``).
    """
    now = timezone.now()
    inquiry = Inquiry.objects.create(
        office=office,
        group=group,
        kind=kind,
        consent_at=now,
        **{field: form.cleaned_data[field] for field in form.Meta.fields},
    )
    channel = form.cleaned_data.get("consent_channel") or Consent.Channel.WEB_FORM
    texts = [str(form.fields["consent"].label)]
    if kind == Inquiry.Kind.FOUNDING_INTEREST:
        inquiry.topics.set(Topic.objects.from_text(inquiry.topic))
        inquiry.postcode_area = form.postcode_area
        if form.cleaned_data.get("match_consent"):
            inquiry.match_consent_at = now
            texts.append(str(form.fields["match_consent"].label))
        inquiry.save(update_fields=["postcode_area", "match_consent_at"])
    # One record of the request's consent: every text the person agreed to, as shown.
    consent.record_web_consent(inquiry, "\n\n".join(texts), channel, user)
    if inquiry.match_consent_at:
        public_cache.invalidate()  # "Gruppen in Gründung" may list a topic more
        transaction.on_commit(lambda: exchange.check_interest(inquiry))
    return inquiry


def record_founding_interest(user, form):
    """A founding interest staff enter for a person who called or came by; it lands in
    the inbox of the user's office (in their charge) and counts like one from the web."""
    inquiry = receive_inquiry(form, user.office, Inquiry.Kind.FOUNDING_INTEREST, user=user)
    Inquiry.objects.filter(pk=inquiry.pk).update(
        status=Inquiry.Status.IN_PROGRESS, assigned_to=user
    )
    return inquiry


@transaction.atomic
def send_network_request(user, topic, to_office, near, radius_km):
    """Ask ``to_office`` (of the user's network) to bring its interested people on
    ``topic`` together with the user's office: a request in its inbox that names the
    topic, the region and the asking office, and no person of either side.

    Raises ``GroupError`` unless the other office's count there is shown to the user
    (at least ``exchange.K_ANONYMITY``), or when the same request is still open.
    """
    office = user.office
    if not exchange.scope_of(office).exclude(pk=office.pk).filter(pk=to_office.pk).exists():
        raise GroupError(_("This office is not in your network."))
    points = [geo.postcode_centre(near)] if near else exchange.office_points(office)
    counts = exchange.topic_counts(office, exchange.areas_within(points, radius_km))
    shown = {
        other_pk
        for entry in counts
        if entry.topic_id == topic.pk
        for other_pk, _name, _count in entry.others
    }
    if to_office.pk not in shown:
        raise GroupError(
            _("%(office)s has too few interested people on this topic here to ask.")
            % {"office": to_office}
        )
    region = (
        _("within %(km)s km of postcode %(postcode)s") % {"km": radius_km, "postcode": near}
        if near
        else _("within %(km)s km of the sites of %(office)s") % {"km": radius_km, "office": office}
    )
    if (
        Inquiry.objects.for_office(to_office)
        .filter(
            kind=Inquiry.Kind.NETWORK_REQUEST,
            from_office=office,
            topics=topic,
            status__in=Inquiry.Status.open_states(),
        )
        .exists()
    ):
        raise GroupError(
            _("Your request on this topic to %(office)s is still open.") % {"office": to_office}
        )
    inquiry = Inquiry.objects.create(
        office=to_office,
        kind=Inquiry.Kind.NETWORK_REQUEST,
        from_office=office,
        name=office.name,
        topic=topic.name,
        postcode_area=exchange.area_of(near),
        message=_(
            "%(office)s would like to bring together people who want a group on “%(topic)s” "
            "%(region)s, with those your office knows. Please get in touch with "
            "%(office)s; ask your interested people first whether they agree."
        )
        % {"office": office, "topic": topic.name, "region": region},
        consent_at=timezone.now(),
    )
    inquiry.topics.set([topic])
    return inquiry


def count_consultation(user, form, inquiry=None):
    """Count a consultation from a valid form; a web request is counted once.

    The inquiry's retention period starts: it has been answered. The person's e-mail
    address is kept for the referral's follow-up only when they agreed (the form's
    checkbox) and the consultation refers to a group.
    """
    try:
        with transaction.atomic():
            consultation = form.save(commit=False)
            consultation.created_by = user
            consultation.inquiry = inquiry
            consultation.save()
            form.save_m2m()
            consultation.topics.set(form.cleaned_data["topic_names"])
            referrals.ask_for_follow_up(consultation, form.cleaned_data.get("follow_up_email"))
            if inquiry is not None:  # answered and done: it leaves the open inbox
                Inquiry.objects.filter(pk=inquiry.pk, answered_at__isnull=True).update(
                    answered_at=timezone.now()
                )
                Inquiry.objects.filter(pk=inquiry.pk).update(status=Inquiry.Status.DONE)
    except IntegrityError as error:  # the request's one consultation exists already
        raise GroupError(_("This web request was already counted.")) from error
    return consultation


def delete_consultation(user, consultation):
    """Remove a consultation counted by mistake (staff of its office, after confirming)."""
    consultation.delete()


# The inbox as a work queue: new -> in progress (someone in charge) -> done ------------


@transaction.atomic
def take_inquiry(user, inquiry):
    """The staff member takes the request on: in progress, in their charge."""
    inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    if inquiry.status == Inquiry.Status.DONE:
        raise GroupError(_("This request is already done."))
    inquiry.status = Inquiry.Status.IN_PROGRESS
    inquiry.assigned_to = user
    inquiry.save(update_fields=["status", "assigned_to"])
    return inquiry


@transaction.atomic
def close_inquiry(user, inquiry):
    """The request was answered (by phone, by e-mail): done, its retention starts."""
    inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    if inquiry.status == Inquiry.Status.DONE:
        raise GroupError(_("This request is already done."))
    inquiry.status = Inquiry.Status.DONE
    inquiry.assigned_to = inquiry.assigned_to or user
    inquiry.answered_at = inquiry.answered_at or timezone.now()
    inquiry.save(update_fields=["status", "assigned_to", "answered_at"])
    return inquiry


@transaction.atomic
def reopen_inquiry(user, inquiry):
    """A request marked done by mistake goes back to work, in the user's charge."""
    inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    if inquiry.status != Inquiry.Status.DONE:
        raise GroupError(_("This request is still open."))
    inquiry.status = Inquiry.Status.IN_PROGRESS
    inquiry.assigned_to = user
    inquiry.save(update_fields=["status", "assigned_to"])
    return inquiry


# Consultations counted: corrected, audited ----------------------------------------------


@transaction.atomic
def correct_consultation(user, form):
    """Save a valid correction form of a counted consultation; return the changed labels.

    Fields, topics and referred groups change together or not at all, and the web
    request the consultation was counted from stays linked. One audit entry names the
    labels of the changed fields (never their values); an unchanged form writes nothing.
    Without a referred group left, an unanswered follow-up is dropped with its address.
    Raises ``GroupError`` when the consultation was removed in the meantime.
    """
    consultation = form.instance
    try:
        stored = Consultation.objects.select_for_update().get(pk=consultation.pk)
    except Consultation.DoesNotExist as error:
        raise GroupError(_("This consultation was removed in the meantime.")) from error
    changed = [
        field.name
        for field in map(Consultation._meta.get_field, form._meta.fields)
        if not field.many_to_many
        and field.value_from_object(stored) != field.value_from_object(consultation)
    ]
    if changed:
        consultation.save(update_fields=changed)
    labels = [form.fields[name].label for name in changed]
    for relation, name in (("topics", "topic_names"), ("referred_groups", "referred_groups")):
        wanted = set(form.cleaned_data[name])
        if set(getattr(stored, relation).all()) != wanted:
            getattr(consultation, relation).set(wanted)
            labels.append(form.fields[name].label)
    if not form.cleaned_data["referred_groups"]:
        referrals.drop_unanswered(consultation)
    if labels:
        audit.record(user, audit.Action.RECORD_CORRECTED, target=consultation, changes=labels)
    return labels


# The thesaurus -------------------------------------------------------------------------


def add_synonym(user, topic, term):
    """Add ``term`` as a synonym of ``topic`` for ``user`` (staff); returns the synonym.

    The topic's groups are found under the new word at once: saving a synonym reindexes
    them (``groups.signals``) in the same transaction. Raises ``GroupError`` when the
    topic already has the word, ignoring case (also when added at the same moment).
    """
    try:
        with transaction.atomic():
            return Synonym.objects.create(topic=topic, term=term.strip())
    except IntegrityError as error:
        raise GroupError(_("This topic already has this synonym.")) from error
