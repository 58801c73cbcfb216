"""Integer ``in`` lookups with numbers no column can hold match nothing, never fail."""

import pytest
from django import forms

from starters.models import Starter
from tests.factories import StarterFactory

pytestmark = pytest.mark.django_db
TOO_BIG = 2**63


def test_in_with_numbers_out_of_range_matches_nothing_else(office):
    starter = StarterFactory(office=office)
    assert list(Starter.objects.filter(pk__in=[TOO_BIG, -TOO_BIG - 1])) == []
    assert list(Starter.objects.filter(pk__in=[TOO_BIG, starter.pk])) == [starter]
    assert list(Starter.objects.filter(capacity__in=[2, 2**40])) == [starter]


def test_a_multiple_choice_form_refuses_a_huge_id_with_a_message(office):
    class Pick(forms.Form):
        starters = forms.ModelMultipleChoiceField(queryset=Starter.objects.all())

    StarterFactory(office=office)
    form = Pick({"starters": [str(TOO_BIG)]})
    assert not form.is_valid()
    assert form.errors["starters"]
