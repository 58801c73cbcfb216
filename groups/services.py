"""State changes of groups. Each writes the group's history in the same transaction."""

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from groups.models import Group, GroupChange
from groups.search import reindex_groups
from kontaktstelle import privacy
from kontaktstelle.audit import services as audit


class GroupError(Exception):
    """A change that the group's current state does not allow; the message is for users."""


# Public addresses under /gruppen/ that are pages, not groups.
RESERVED_SLUGS = {"in-gruendung", "gruenden", "danke", "druck"}


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
    GroupChange.objects.create(group=group, user=user, action=GroupChange.Action.CREATED)
    privacy.sync_consent(user, group, form.cleaned_data.get("consent_channel"))
    reindex_groups([group.pk])
    return group


@transaction.atomic
def update_group(user, form):
    """Save a valid edit form; history lists the labels of the fields that changed."""
    group = form.save()
    labels = audit.changed_labels(form)
    if labels:
        GroupChange.objects.create(
            group=group, user=user, action=GroupChange.Action.CHANGED, fields=labels
        )
    privacy.sync_consent(user, group, form.cleaned_data.get("consent_channel"))
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
    GroupChange.objects.create(group=group, user=user, action=GroupChange.Action.CLOSED)
    return group
