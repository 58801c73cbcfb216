"""Lookups Django leaves out.

Django's exact, lt, gt… lookups on integer columns treat a number no column can hold as
"matches nothing"; ``in`` does not, and SQLite then raises OverflowError, so a form
posting id 9223372036854775808 to a multiple choice field answered with a server error.
"""

from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerFieldIn(In):
    """``in`` on an integer column, leaving out numbers outside the column's range."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            ranges = connection.ops.integer_field_ranges
            low, high = ranges.get(self.lhs.output_field.get_internal_type(), (None, None))
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)


def register():
    IntegerField.register_lookup(IntegerFieldIn)
