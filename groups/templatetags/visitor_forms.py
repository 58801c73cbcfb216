"""The fields of a visitor's form (contact request, correction hint), rendered once per
process and language while the form is empty.

A group page is rendered for each first visitor, and crispy-forms' templates for its two
empty forms took about 40 % of it. An empty form of a class that declares
``same_for_everyone = True`` (its fields, labels and choices do not depend on the data
or the request) is the same markup on every page, so it is kept after its first
rendering; a filled-in form, with the visitor's input or errors, is always rendered. With
``DEBUG`` on (development, where templates change while the process runs) every form is
rendered.
"""

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import get_language

register = template.Library()

TEMPLATE = "groups/fragments/visitor_form_fields.html"
_rendered = {}


@register.simple_tag
def visitor_form_fields(form):
    """The fields of ``form`` (label, control, help and errors, the spam trap hidden)."""
    if settings.DEBUG or form.is_bound or not getattr(form, "same_for_everyone", False):
        return render_to_string(TEMPLATE, {"form": form})
    key = (type(form), form.prefix, form.auto_id, get_language())
    if key not in _rendered:
        _rendered[key] = render_to_string(TEMPLATE, {"form": form})
    return _rendered[key]
