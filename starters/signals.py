"""When a group's topics change while starters are asked or on it: tell staff at once.

Content abstinence is checked when an offer is made and again when it is accepted
(``services.check_content_abstinence``). A topic added later can make an open offer or a
running accompaniment conflict with it; the responsible staff member is notified (in
the app and by e-mail) so that they can withdraw the offer or talk with the starter.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils.translation import gettext as _

from groups.models import Group
from kontaktstelle.notifications.models import Notification
from kontaktstelle.notifications.services import notify
from starters.models import Assignment


@receiver(m2m_changed, sender=Group.topics.through, dispatch_uid="starters_topic_conflicts")
def _topics_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action != "post_add":
        return
    groups = Group.objects.filter(pk__in=pk_set) if reverse else [instance]
    for group in groups:
        transaction.on_commit(lambda group=group: flag_conflicts(group))


def flag_conflicts(group):
    """Notify staff of every open offer or assignment that the group's topics now rule out.

    Returns the number of notifications created (each conflict is told once).
    """
    topics = {topic.pk: topic.name for topic in group.topics.all()}
    assignments = (
        Assignment.objects.filter(
            accompaniment__group=group,
            state__in=[Assignment.State.OFFERED, Assignment.State.ACCEPTED],
            starter__excluded_topics__in=list(topics),
        )
        .select_related("starter__user", "accompaniment__responsible")
        .prefetch_related("starter__excluded_topics")
        .distinct()
    )
    created = 0
    for assignment in assignments:
        staff = assignment.accompaniment.responsible
        if staff is None:
            continue
        affected = sorted(
            topics[t.pk] for t in assignment.starter.excluded_topics.all() if t.pk in topics
        )
        created += bool(
            notify(
                staff,
                Notification.Kind.TOPIC_CONFLICT,
                f"conflict:{assignment.pk}:{'-'.join(map(str, sorted(topics)))}"[:100],
                _("Personally affected: %(name)s for %(group)s")
                % {"name": assignment.starter.name, "group": group.name},
                _(
                    "The group “%(group)s” now has the topic %(topics)s, which affects "
                    "%(name)s personally. Please withdraw the offer or end their part in "
                    "the accompaniment: In-Gang-Setzer:innen never accompany a group on "
                    "their own topic."
                )
                % {
                    "group": group.name,
                    "topics": ", ".join(affected),
                    "name": assignment.starter.name,
                },
                assignment.accompaniment.get_absolute_url(),
            )
        )
    return created
