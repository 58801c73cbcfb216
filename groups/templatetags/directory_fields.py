"""The directory's filter fields, marked up as crispy-forms' Bootstrap 5 pack marks them up
(label, control, error), without a template per field and option.

The directory's filters are rendered on every first-time search, where crispy's
templates took half of the page's rendering; this tag writes the same markup from
Python. Its fields are text inputs, selects and checkboxes (``DirectoryFilterForm``).
"""

from django import forms, template
from django.forms.models import ModelChoiceField
from django.utils.html import format_html, format_html_join

register = template.Library()


def _choices(field):
    """[(value, label)] of a select; a model's choices from one ordinary query (Django's
    own iterator opens a server-side cursor on PostgreSQL: three round trips)."""
    formfield = field.field
    if isinstance(formfield, ModelChoiceField):
        key = formfield.to_field_name or "pk"
        return [("", formfield.empty_label or "")] + [
            (getattr(item, key), formfield.label_from_instance(item)) for item in formfield.queryset
        ]
    return list(formfield.choices)


def _error(field):
    if not field.errors:
        return "", ""
    ident = f"{field.auto_id}_error"
    message = format_html(
        '<div id="{}" class="invalid-feedback"><p id="error_1_{}"><strong>{}</strong></p></div>',
        ident,
        field.auto_id,
        field.errors[0],
    )
    return format_html(' aria-invalid="true" aria-describedby="{}"', ident), message


@register.simple_tag
def filter_field(field):
    """One field of the directory's filters (``field``: a bound field of the form)."""
    widget = field.field.widget
    invalid = " is-invalid" if field.errors else ""
    described, error = _error(field)
    if isinstance(widget, forms.CheckboxInput):
        return format_html(
            '<div class="mb-3"><div id="div_{id}" class="form-check">'
            '<input type="checkbox" name="{name}" class="checkboxinput form-check-input{invalid}"'
            ' id="{id}"{checked}{described}>'
            '<label for="{id}" class="form-check-label">{label}</label>{error}</div></div>',
            id=field.auto_id,
            name=field.html_name,
            invalid=invalid,
            checked=" checked" if field.value() else "",
            described=described,
            label=field.label,
            error=error,
        )
    if isinstance(widget, forms.Select):
        value = "" if field.value() is None else str(field.value())
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (choice, " selected" if str(choice) == value else "", label)
                for choice, label in _choices(field)
            ),
        )
        control = format_html(
            '<select name="{}" class="select form-select{}" id="{}"{}>{}</select>',
            field.html_name,
            invalid,
            field.auto_id,
            described,
            options,
        )
    else:
        # maxlength among them (the field puts it there); the class is this tag's.
        attrs = format_html_join(
            "", ' {}="{}"', sorted(item for item in widget.attrs.items() if item[0] != "class")
        )
        value = field.value()
        control = format_html(
            '<input type="text" name="{}"{}{} class="textinput form-control{}"{} id="{}">',
            field.html_name,
            format_html(' value="{}"', value) if value else "",
            attrs,
            invalid,
            described,
            field.auto_id,
        )
    return format_html(
        '<div id="div_{id}" class="mb-3"><label for="{id}" class="form-label">{label}</label>'
        "{control}{error}</div>",
        id=field.auto_id,
        label=field.label,
        control=control,
        error=error,
    )
