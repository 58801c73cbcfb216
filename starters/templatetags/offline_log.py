"""The key under which a volunteer's phone keeps meeting logs typed without network."""

from django import template

from starters.meeting_logs import queue_owner as owner_of

register = template.Library()


@register.simple_tag(takes_context=True)
def queue_owner(context):
    user = context["request"].user
    return owner_of(user) if user.is_authenticated else ""
