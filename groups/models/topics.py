"""The shared German thesaurus: topic areas, topics and the words seekers use."""

import re

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class TopicCategory(models.Model):
    """A chapter of the thesaurus, e.g. "Psychische Gesundheit"."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("short name in addresses"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("topic category")
        verbose_name_plural = _("topic categories")
        ordering = ["name"]

    def __str__(self):
        return self.name


class TopicQuerySet(models.QuerySet):
    def named(self, name):
        """The topic called ``name`` or having it as a synonym (ignoring case), or None."""
        name = name.strip()
        if not name:
            return None
        return (
            self.filter(name__iexact=name).first()
            or self.filter(synonyms__term__iexact=name).order_by("pk").first()
        )

    def from_text(self, text):
        """Topics named in a free text such as "Tinnitus, Hörsturz": the whole text if it
        is a topic or synonym, else each part between commas, semicolons, slashes or
        "und"; parts that name no topic are left out."""
        whole = self.named(text)
        if whole is not None:
            return [whole]
        topics = []
        for part in re.split(r"[,;/]|\bund\b|\band\b", text):
            topic = self.named(part)
            if topic is not None and topic not in topics:
                topics.append(topic)
        return topics


class Topic(models.Model):
    """A topic of the shared German thesaurus; staff may add more."""

    category = models.ForeignKey(
        TopicCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="topics",
    )
    name = models.CharField(_("name"), max_length=120)

    objects = TopicQuerySet.as_manager()

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="groups_topic_name_ci_unique",
                violation_error_message=_("A topic with this name already exists."),
            ),
        ]

    def __str__(self):
        return self.name


class Synonym(models.Model):
    """A word seekers use for a topic: medical synonym, abbreviation or lay term."""

    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="synonyms"
    )
    term = models.CharField(_("term"), max_length=120)

    class Meta:
        verbose_name = _("synonym")
        verbose_name_plural = _("synonyms")
        ordering = ["term"]
        constraints = [
            models.UniqueConstraint(
                "topic",
                Lower("term"),
                name="groups_synonym_topic_term_ci_unique",
                violation_error_message=_("This topic already has this synonym."),
            ),
        ]

    def __str__(self):
        return self.term
