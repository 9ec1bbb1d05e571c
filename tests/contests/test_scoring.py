"""Marking a quiz: short answers compared after normalising, all-or-nothing choices."""

import pytest

from community.contests.models import QuestionKind
from community.contests.scoring import mark, normalise_answer


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("  Tehran ", "tehran"),
        ("TEHRAN", "tehran"),
        ("New   York", "new york"),
        ("۴۲", "42"),  # Persian digits
        ("٤٢", "42"),  # Arabic-Indic digits
        ("علي", "علی"),  # Arabic yeh
        ("كتاب", "کتاب"),  # Arabic kaf
        ("می\u200cروم", "می روم"),  # a half-space is a space
        ("تـهـران", "تهران"),  # tatweel
        ("مُدیر", "مدیر"),  # a vowel mark
        ("ＡＢＣ", "abc"),  # full-width letters
        ("Straße", "strasse"),
        ("", ""),
    ],
)
def test_normalise_answer(typed, expected):
    assert normalise_answer(typed) == expected


def text_mark(given, accepted=("Tehran",)):
    return mark(
        kind=QuestionKind.TEXT, points=5, correct_ids=set(), accepted=list(accepted), given=given
    )


def test_text_answer_matches_any_accepted_answer_after_normalising():
    assert text_mark(" tehran  ") == 5
    assert text_mark("تهران", accepted=["Tehran", "تهران"]) == 5
    assert text_mark("۴۲", accepted=["42"]) == 5
    assert text_mark("new york", accepted=["NewYork"]) == 5


def test_text_answer_wrong_or_empty_scores_nothing():
    assert text_mark("Tabriz") == 0
    assert text_mark("") == 0
    assert text_mark(None) == 0
    assert text_mark(["Tehran"]) == 0
    assert text_mark("anything", accepted=[""]) == 0


def choice_mark(given, correct=frozenset({1, 3}), kind=QuestionKind.MULTIPLE):
    return mark(kind=kind, points=3, correct_ids=set(correct), accepted=[], given=given)


def test_choices_score_only_when_exactly_the_correct_ones_are_chosen():
    assert choice_mark([1, 3]) == 3
    assert choice_mark([3, 1]) == 3
    assert choice_mark([1]) == 0
    assert choice_mark([1, 2, 3]) == 0
    assert choice_mark([]) == 0
    assert choice_mark(None) == 0
    assert choice_mark("1") == 0
    assert choice_mark([2], correct={2}, kind=QuestionKind.SINGLE) == 3


def test_a_question_without_correct_choices_pays_nobody():
    assert choice_mark([], correct=set()) == 0
