"""Keep the search index in step with the thesaurus, the topic areas and the rooms, the
cached public pages with the groups and their topics, and the groups' places ('near me')
with their postcode, room and site."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from groups import geo
from groups.models import Group, Synonym, Topic, TopicCategory
from groups.search import invalidate_lexicon, reindex_groups, reindex_topic
from kontaktstelle.offices.models import Room, Site
from kontaktstelle.web import public_cache

# What a group's place is made of (``geo.locate_group``); a save of other fields only
# (``update_fields``) leaves it where it is.
PLACE_FIELDS = {"format", "postcode", "city", "room", "room_id", "office", "office_id"}


@receiver([post_save, post_delete], sender=Group)
@receiver([post_save, post_delete], sender=Topic)
@receiver([post_save, post_delete], sender=TopicCategory)
@receiver(m2m_changed, sender=Group.topics.through)
def directory_changed(sender, **kwargs):
    public_cache.invalidate()


@receiver([post_save, post_delete], sender=Topic)
def topic_changed(sender, instance, **kwargs):
    invalidate_lexicon()


@receiver(pre_save, sender=Topic)
def topic_saving(sender, instance, raw=False, **kwargs):
    # Its groups are found by its name and listed under its topic area
    # (``search.topic_area_term``): a new name or area is theirs too.
    before = None
    if instance.pk is not None and not raw:
        before = Topic.objects.filter(pk=instance.pk).values_list("name", "category_id").first()
    instance.indexed_differently = before is not None and before != (
        instance.name,
        instance.category_id,
    )


@receiver(post_save, sender=Topic)
def topic_saved(sender, instance, raw=False, **kwargs):
    if not raw and getattr(instance, "indexed_differently", False):
        reindex_topic(instance)


@receiver(post_delete, sender=Topic)
def topic_deleted(sender, instance, **kwargs):
    ids = getattr(instance, "group_ids_before_delete", None)
    if ids:
        reindex_groups(ids)


@receiver([post_save, post_delete], sender=Synonym)
def synonym_changed(sender, instance, **kwargs):
    # A new synonym makes the topic's groups findable under it. (When the topic
    # itself is being deleted, there is nothing left to reindex.)
    topic = Topic.objects.filter(pk=instance.topic_id).first()
    if topic is not None:
        reindex_topic(topic)


@receiver(post_save, sender=Group)
def group_place_changed(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and not PLACE_FIELDS & set(update_fields)):
        return
    geo.locate_group(instance)


@receiver(post_save, sender=Site)
def site_saved(sender, instance, raw=False, **kwargs):
    if not raw:  # its postcode or town may have moved the groups meeting in its rooms
        geo.locate_groups(Group.objects.filter(room__site=instance).values("pk"))


@receiver(post_save, sender=Room)
def room_saved(sender, instance, raw=False, **kwargs):
    if not raw:  # it may now belong to another site, or have become step-free
        ids = list(instance.groups.values_list("pk", flat=True))
        geo.locate_groups(ids)
        reindex_groups(ids)


@receiver(pre_delete, sender=Room)
@receiver(pre_delete, sender=Topic)
def groups_losing(sender, instance, **kwargs):
    # Its groups lose the room (SET_NULL) or the topic (and perhaps their last topic of
    # its area), with no signal of theirs: remember them to place and reindex them after.
    instance.group_ids_before_delete = list(instance.groups.values_list("pk", flat=True))


@receiver(post_delete, sender=Room)
def room_deleted(sender, instance, **kwargs):
    ids = getattr(instance, "group_ids_before_delete", None)
    if ids:
        geo.locate_groups(ids)
        reindex_groups(ids)  # their own step-free access counts now
