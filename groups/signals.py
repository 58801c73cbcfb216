"""Keep the search index in step with the thesaurus, and the cached public pages with
the groups and their topics."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from groups.models import Group, Synonym, Topic, TopicCategory
from groups.search import invalidate_lexicon, reindex_topic
from kontaktstelle.web import public_cache


@receiver([post_save, post_delete], sender=Group)
@receiver([post_save, post_delete], sender=Topic)
@receiver([post_save, post_delete], sender=TopicCategory)
@receiver(m2m_changed, sender=Group.topics.through)
def directory_changed(sender, **kwargs):
    public_cache.invalidate()


@receiver([post_save, post_delete], sender=Topic)
def topic_changed(sender, instance, **kwargs):
    invalidate_lexicon()


@receiver([post_save, post_delete], sender=Synonym)
def synonym_changed(sender, instance, **kwargs):
    # A new synonym makes the topic's groups findable under it. (When the topic
    # itself is being deleted, there is nothing left to reindex.)
    topic = Topic.objects.filter(pk=instance.topic_id).first()
    if topic is not None:
        reindex_topic(topic)
