import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Digits with the usual separators, optionally a leading "+" for the country code.
_PHONE = re.compile(r"\+?[0-9][0-9 ()/\-]*")


def validate_phone(value):
    """A German or international phone number: 6 to 15 digits, usual separators."""
    digits = sum(char.isdigit() for char in value)
    if not _PHONE.fullmatch(value.strip()) or not 6 <= digits <= 15:
        raise ValidationError(
            _("Enter a phone number of digits, e.g. 0123 456789 or +49 123 456789."),
            code="invalid_phone",
        )


EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2199, 12, 31)


def validate_plausible_date(value):
    """A date this office's records can be about: far-off years (0001, 9999) would only
    break the date arithmetic of periods and time zones."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            _("Please enter a date between %(earliest)s and %(latest)s.")
            % {"earliest": EARLIEST_DATE.year, "latest": LATEST_DATE.year},
            code="implausible_date",
        )
