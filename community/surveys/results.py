"""A survey's results for staff: per question the counts (per choice, per point of a scale),
the share of those who answered it, the average of a rating or NPS question, the NPS score,
and the first free-text answers. Built in a fixed number of queries whatever the number of
responses (the counting is done by the database)."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber

from portal.shell.charts import percent

from .models import SCALES, Answer, Question, QuestionKind, Response, Survey

TEXT_PREVIEW = 5


@dataclass(frozen=True)
class Nps:
    """Net Promoter Score: the share of promoters (9-10) minus that of detractors (0-6),
    from -100 to 100, rounded half up to a whole number."""

    promoters: int
    passives: int
    detractors: int

    @property
    def total(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def score(self) -> int | None:
        if not self.total:
            return None
        exact = Decimal(self.promoters - self.detractors) * 100 / Decimal(self.total)
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def share(self, part: int) -> Decimal:
        return percent(part, self.total)


@dataclass
class QuestionResult:
    question: Question
    # Responses that answered this question.
    answered: int = 0
    # (label, count) per choice in order, or per point of the scale from low to high.
    counts: list[tuple[str, int]] = field(default_factory=list)
    average: Decimal | None = None
    nps: Nps | None = None
    texts: list[Answer] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.question.kind


@dataclass
class SurveyResults:
    survey: Survey
    responses: int
    questions: list[QuestionResult]


def _average(counts: dict[int, int]) -> Decimal | None:
    total = sum(counts.values())
    if not total:
        return None
    exact = Decimal(sum(number * n for number, n in counts.items())) / Decimal(total)
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def build(survey: Survey) -> SurveyResults:
    """The results of `survey` (six queries)."""
    questions = list(survey.questions.prefetch_related("choices"))
    responses = Response.objects.filter(survey=survey).count()
    answers = Answer.objects.filter(question__survey=survey)
    answered = dict(
        answers.values("question_id")
        .annotate(n=Count("response_id", distinct=True))
        .values_list("question_id", "n")
    )
    by_choice: dict[int, dict[int, int]] = defaultdict(dict)
    by_number: dict[int, dict[int, int]] = defaultdict(dict)
    for question_id, choice_id, number, n in (
        answers.filter(Q(choice__isnull=False) | Q(number__isnull=False))
        .values("question_id", "choice_id", "number")
        .annotate(n=Count("id"))
        .values_list("question_id", "choice_id", "number", "n")
    ):
        if choice_id is not None:
            by_choice[question_id][choice_id] = n
        else:
            by_number[question_id][number] = n
    texts: dict[int, list[Answer]] = defaultdict(list)
    preview = (
        answers.filter(question__kind=QuestionKind.TEXT)
        .exclude(text="")
        .annotate(
            submitted_on=F("response__submitted_on"),
            rank=Window(
                RowNumber(),
                partition_by=[F("question_id")],
                order_by=[F("response__submitted_on").desc(nulls_last=True), F("id").asc()],
            ),
        )
        .filter(rank__lte=TEXT_PREVIEW)
        .order_by("question_id", "rank")
    )
    for answer in preview:
        texts[answer.question_id].append(answer)

    results = []
    for question in questions:
        result = QuestionResult(question=question, answered=answered.get(question.pk, 0))
        if question.has_choices:
            counts = by_choice[question.pk]
            result.counts = [(c.label, counts.get(c.pk, 0)) for c in question.choices.all()]
        elif question.kind in SCALES:
            counts = by_number[question.pk]
            result.counts = [(str(n), counts.get(n, 0)) for n in SCALES[question.kind]]
            result.average = _average(counts)
            if question.kind == QuestionKind.NPS:
                result.nps = Nps(
                    promoters=sum(n for number, n in counts.items() if number >= 9),
                    passives=sum(n for number, n in counts.items() if 7 <= number <= 8),
                    detractors=sum(n for number, n in counts.items() if number <= 6),
                )
        else:
            result.texts = texts[question.pk]
        results.append(result)
    return SurveyResults(survey=survey, responses=responses, questions=results)
