"""The founding-interest exchange's memory of which alerts were sent."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from groups.models.topics import Topic
from kontaktstelle.offices.models import Office


class FoundingAlert(models.Model):
    """Whether an office's count of founding interests on a topic is at its threshold.

    ``reached`` is claimed by a conditional update when the count reaches the threshold
    and released when it falls below, so staff are told once per crossing however many
    processes check at the same time; ``crossings`` numbers the notifications' occasions.
    No person is named: an office, a topic and two numbers.
    """

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.CASCADE, related_name="+"
    )
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="+"
    )
    reached = models.BooleanField(_("threshold reached"), default=False)
    crossings = models.PositiveIntegerField(_("times reached"), default=0)

    class Meta:
        verbose_name = _("founding-interest alert")
        verbose_name_plural = _("founding-interest alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "topic"], name="groups_foundingalert_office_topic_unique"
            ),
        ]

    def __str__(self):
        return f"{self.office_id}/{self.topic_id}: {self.crossings}"
