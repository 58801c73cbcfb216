"""A group's meeting rules as one spreadsheet cell (``groups.rule_text``), issue 21."""

import datetime

import pytest
from django.utils.translation import override

from groups import rule_text
from groups.rule_text import RuleSpec, RuleTextError

T = datetime.time


def weekly(day, start, end, room=""):
    return RuleSpec("weekly", day, (), start, end, room=room)


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("Di 19:00–21:00", weekly(1, T(19), T(21))),
        ("So 10:30–12:00", weekly(6, T(10, 30), T(12))),
        ("2. und 4. Di 19:00–21:00", RuleSpec("monthly", 1, (2, 4), T(19), T(21))),
        ("1., 3. und letzter Mo 18:00–20:00", RuleSpec("monthly", 0, (1, 3, -1), T(18), T(20))),
        ("letzter Fr 18:00–20:00", RuleSpec("monthly", 4, (-1,), T(18), T(20))),
        (
            "14-täglich Mi 17:00–18:30 ab 06.01.2027",
            RuleSpec("biweekly", 2, (), T(17), T(18, 30), starts_on=datetime.date(2027, 1, 6)),
        ),
        (
            "am 12.01.2027, 09.02.2027 10:00–12:00",
            RuleSpec(
                "dates",
                None,
                (),
                T(10),
                T(12),
                dates=(datetime.date(2027, 1, 12), datetime.date(2027, 2, 9)),
            ),
        ),
        ("Do 18:00–20:00 (Haus Nord – Saal)", weekly(3, T(18), T(20), room="Haus Nord – Saal")),
    ],
)
def test_each_kind_is_written_as_it_is_read(text, spec):
    assert rule_text.read(text) == [spec]
    assert rule_text.write([spec]) == text


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("dienstags 19-21", weekly(1, T(19), T(21))),
        ("jeden Dienstag, 19 Uhr bis 21 Uhr", weekly(1, T(19), T(21))),
        ("DI 19.30 - 21.00", weekly(1, T(19, 30), T(21))),
        ("jeden 2. Dienstag 19:00-21:00", RuleSpec("monthly", 1, (2,), T(19), T(21))),
        ("Sonnabend 9–11", weekly(5, T(9), T(11))),
        (
            "alle 2 Wochen Mo 18–20 ab 7.12.2026",
            RuleSpec("biweekly", 0, (), T(18), T(20), starts_on=datetime.date(2026, 12, 7)),
        ),
    ],
)
def test_what_offices_type_is_read_leniently(text, spec):
    assert rule_text.read(text) == [spec]


def test_several_rules_are_separated_by_semicolons_and_empty_parts_are_skipped():
    specs = rule_text.read("Di 19:00–21:00;; 2. Do 18:00–20:00 ;")
    assert [spec.kind for spec in specs] == ["weekly", "monthly"]
    assert rule_text.read("") == [] and rule_text.read("  ") == []


def test_the_room_id_is_not_compared():
    """Specs from the file (room by label) equal those of saved rules (room by id)."""
    assert weekly(1, T(19), T(21), "A – B") == weekly(1, T(19), T(21), "A – B").__class__(
        "weekly", 1, (), T(19), T(21), room="A – B", room_id=7
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Dx 19:00–21:00", "the weekday is unclear (Mo, Di, Mi, Do, Fr, Sa, So)"),
        ("Di", "start and end are missing or unclear"),
        ("Di 19:00", "start and end are missing or unclear"),
        ("Di 21:00–19:00", "the end must be after the start"),
        ("Di 25:00–26:00", "this time does not exist"),
        ("14-täglich Di 19:00–21:00", "every two weeks needs its first date"),
        ("14-täglich 2. Di 19:00–21:00 ab 01.01.2027", "every two weeks and weeks of the month"),
        ("am 31.02.2027 19:00–21:00", "“31.02.2027” is not a date"),
        ("am 19:00–21:00", "the dates after “am” are missing"),
        ("Di Mi 19:00–21:00", "the weekday is unclear"),
    ],
)
def test_what_cannot_be_read_is_named(text, problem):
    with override("en"), pytest.raises(RuleTextError) as raised:
        rule_text.read(f"Mo 10:00–11:00; {text}")
    assert str(raised.value).startswith(f"“{text}”: ")  # the part, not the whole cell
    assert problem in str(raised.value)
