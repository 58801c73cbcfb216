"""Keep the search index in step with the thesaurus."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from groups.models import Synonym, Topic
from groups.search import invalidate_lexicon, reindex_topic


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
