"""results.build: counts, shares, averages and the NPS score."""

from decimal import Decimal

import pytest

from community.surveys import results
from community.surveys.models import QuestionKind
from community.surveys.results import Nps

from .conftest import answer, make_survey

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "promoters, passives, detractors, score",
    [
        (0, 0, 0, None),
        (10, 0, 0, 100),
        (0, 0, 10, -100),
        (3, 1, 2, 17),  # 16.67
        (1, 2, 1, 0),
        (1, 0, 1, 0),
        (1, 6, 0, 14),  # 14.29
        (1, 0, 7, -75),
        (1, 1, 0, 50),
        (1, 6, 1, 0),
        (2, 0, 6, -50),
        (1, 7, 0, 13),  # 12.5 rounds half up
        (0, 7, 1, -13),  # -12.5 rounds half away from zero
    ],
)
def test_the_nps_score_is_promoters_minus_detractors_in_percent(
    promoters, passives, detractors, score
):
    assert Nps(promoters, passives, detractors).score == score


def test_results_count_each_choice_and_scale_point(make_user):
    survey = make_survey()
    for single, multiple, rating, nps in [
        (0, (0,), 5, 10),
        (0, (0, 1), 4, 9),
        (1, (), 4, 8),
        (2, (2,), 1, 2),
    ]:
        answer(survey, make_user(), single=single, multiple=multiple, rating=rating, nps=nps)

    built = results.build(survey)

    assert built.responses == 4
    by_kind = {r.kind: r for r in built.questions}
    single = by_kind[QuestionKind.SINGLE]
    assert single.counts == [("North", 2), ("South", 1), ("West", 1)]
    assert single.answered == 4
    multiple = by_kind[QuestionKind.MULTIPLE]
    assert multiple.counts == [("Price", 2), ("Quality", 1), ("Staff", 1)]
    assert multiple.answered == 3  # one member chose nothing
    rating = by_kind[QuestionKind.RATING]
    assert rating.counts == [("1", 1), ("2", 0), ("3", 0), ("4", 2), ("5", 1)]
    assert rating.average == Decimal("3.50")
    nps = by_kind[QuestionKind.NPS]
    assert len(nps.counts) == 11 and nps.counts[10] == ("10", 1)
    assert nps.average == Decimal("7.25")
    assert (nps.nps.promoters, nps.nps.passives, nps.nps.detractors) == (2, 1, 1)
    assert nps.nps.score == 25
    text = by_kind[QuestionKind.TEXT]
    assert [a.text for a in text.texts] == ["Fine"] * 4


def test_a_survey_without_answers_has_empty_results(survey):
    built = results.build(survey)
    assert built.responses == 0
    for result in built.questions:
        assert result.answered == 0
        assert result.average is None
        assert all(count == 0 for _label, count in result.counts)
    nps = next(r for r in built.questions if r.kind == QuestionKind.NPS)
    assert nps.nps.score is None


def test_the_text_preview_is_limited_and_the_rest_counted(make_user):
    survey = make_survey()
    for n in range(results.TEXT_PREVIEW + 3):
        answer(survey, make_user(), text=f"t{n}")
    text = next(r for r in results.build(survey).questions if r.kind == QuestionKind.TEXT)
    assert len(text.texts) == results.TEXT_PREVIEW
    assert text.answered == results.TEXT_PREVIEW + 3


def test_results_take_a_fixed_number_of_queries(make_user, django_assert_num_queries):
    survey = make_survey()
    for n in range(12):
        answer(survey, make_user(), nps=n % 11, text=f"t{n}")
    with django_assert_num_queries(6):
        results.build(survey)
