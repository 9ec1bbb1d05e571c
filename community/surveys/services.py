"""Every change to surveys: a member answers (submit_response), a manager copies a
ready-made survey (copy_ready_made), an erased member's answers lose their link
(erase_member_answers)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gamification import activity
from gamification.models import Action
from portal.shell.errors import CodedError

from . import ready_made
from .models import (
    CHOICE_KINDS,
    SCALES,
    TEXT_MAX_LENGTH,
    Answer,
    Choice,
    Participation,
    Question,
    QuestionKind,
    Response,
    Survey,
    SurveyState,
)
from .selectors import in_audience, is_suspended

# --- Refusals ---------------------------------------------------------------------------


class SurveyError(CodedError):
    code = "survey_refused"
    default_message = _("This survey cannot be answered right now.")


class NotInAudience(SurveyError):
    """The survey is a draft or not for this member: views answer 404."""

    code = "not_in_audience"
    default_message = _("This survey is not available to you.")


class NotOpenYet(SurveyError):
    code = "not_open_yet"
    default_message = _("This survey is not open yet.")


class SurveyClosed(SurveyError):
    code = "closed"
    default_message = _("This survey has closed.")


class AlreadyAnswered(SurveyError):
    code = "already_answered"
    default_message = _("You have already answered this survey. Each member answers once.")


class MemberSuspended(SurveyError):
    code = "suspended"
    default_message = _(
        "Your account is suspended from the community, so you cannot answer surveys for now."
    )


class InvalidAnswers(SurveyError):
    """`errors` maps a question's id to what is wrong with its answer."""

    code = "invalid_answers"
    default_message = _("Some answers need your attention.")

    def __init__(self, errors: dict[int, str]):
        super().__init__()
        self.errors = errors


class TemplateError(CodedError):
    code = "template_refused"
    default_message = _("This template cannot be copied.")


class UnknownTemplate(TemplateError):
    code = "unknown_template"
    default_message = _("There is no such ready-made survey.")


class TopicRequired(TemplateError):
    code = "topic_required"
    default_message = _("Name the topic you would like suggestions on.")


# --- Answering --------------------------------------------------------------------------

# What a member may give for each kind of question: a Choice id, a list of them, a number
# on the question's scale, or a text.
AnswerValue = int | list[int] | str | None


@dataclass(frozen=True)
class Submission:
    participation: Participation
    points: int


def _missing(value) -> bool:
    return value is None or value == "" or value == [] or value == ()


def check_answers(
    *, questions: list[Question], answers: Mapping[int, AnswerValue]
) -> dict[int, list[Answer]]:
    """The Answer rows (unsaved, without a response) for each answered question. Raises
    InvalidAnswers naming every question whose answer is missing or not one it accepts.
    `questions` come with their choices prefetched."""
    errors: dict[int, str] = {}
    rows: dict[int, list[Answer]] = {}
    for question in questions:
        value = answers.get(question.pk)
        if isinstance(value, str):
            value = value.strip()
        if _missing(value):
            if question.required:
                errors[question.pk] = gettext("Please answer this question.")
            continue
        if question.kind in CHOICE_KINDS:
            choices = {choice.pk: choice for choice in question.choices.all()}
            picked = value if isinstance(value, list | tuple) else [value]
            if question.kind == QuestionKind.SINGLE and len(picked) != 1:
                errors[question.pk] = gettext("Choose one answer.")
                continue
            try:
                ids = {int(choice_id) for choice_id in picked}
            except (TypeError, ValueError):
                ids = {-1}
            if not ids <= choices.keys():
                errors[question.pk] = gettext("Choose from the answers offered.")
                continue
            rows[question.pk] = [
                Answer(question=question, choice=choices[choice_id]) for choice_id in sorted(ids)
            ]
        elif question.kind in SCALES:
            scale = SCALES[question.kind]
            try:
                number = int(value)
            except (TypeError, ValueError):
                number = None
            if number not in scale:
                errors[question.pk] = gettext("Choose a number from %(low)s to %(high)s.") % {
                    "low": scale[0],
                    "high": scale[-1],
                }
                continue
            rows[question.pk] = [Answer(question=question, number=number)]
        else:
            text = str(value)
            if len(text) > TEXT_MAX_LENGTH:
                errors[question.pk] = gettext(
                    "Please keep your answer under %(limit)s characters."
                ) % {"limit": TEXT_MAX_LENGTH}
                continue
            rows[question.pk] = [Answer(question=question, text=text)]
    if errors:
        raise InvalidAnswers(errors)
    return rows


def submit_response(
    *,
    survey: Survey,
    member,
    answers: Mapping[int, AnswerValue],
    at: datetime | None = None,
) -> Submission:
    """Record `member`'s answers to `survey` and pay the "survey completed" rule's points.

    Refuses, changing nothing, with NotInAudience (a draft, or a survey for others),
    NotOpenYet, SurveyClosed, MemberSuspended, InvalidAnswers (every faulty question named)
    or AlreadyAnswered. One transaction: the participation row (unique per survey and
    member, so of two concurrent submissions exactly one is stored and the other raises
    AlreadyAnswered), the response and its answers, and the award (activity.record, locking
    the member's points account; paid for the participation, never the response). An
    anonymous survey's response holds neither the member nor a date."""
    now = at or timezone.now()
    if not survey.is_published or not in_audience(survey=survey, member=member):
        raise NotInAudience
    state = survey.state(now)
    if state == SurveyState.SCHEDULED:
        raise NotOpenYet
    if state == SurveyState.CLOSED:
        raise SurveyClosed
    if is_suspended(member, at=now):
        raise MemberSuspended
    questions = list(survey.questions.prefetch_related("choices"))
    rows = check_answers(questions=questions, answers=answers)
    with transaction.atomic():
        try:
            with transaction.atomic():
                participation = Participation.objects.create(
                    survey=survey, member=member, answered_at=now
                )
        except IntegrityError as exc:  # survey_participation_once
            raise AlreadyAnswered from exc
        if survey.is_anonymous:
            response = Response.objects.create(survey=survey)
        else:
            response = Response.objects.create(
                survey=survey, member=member, submitted_on=timezone.localdate(now)
            )
        answer_rows = [row for question_rows in rows.values() for row in question_rows]
        for row in answer_rows:
            row.response = response
        Answer.objects.bulk_create(answer_rows)
        outcome = activity.record(
            member=member, action=Action.SURVEY_COMPLETED, subject=participation, at=now
        )
    return Submission(participation=participation, points=outcome.awarded)


# --- Ready-made surveys -----------------------------------------------------------------


def copy_ready_made(*, key: str, topic: str = "", at: datetime | None = None) -> Survey:
    """A new draft survey (unpublished, no dates, for all members, not anonymous) with the
    ready-made template's title, texts, questions and choices in the active language.
    Raises UnknownTemplate, or TopicRequired for a template about a topic given none.
    One transaction."""
    template = ready_made.BY_KEY.get(key)
    if template is None:
        raise UnknownTemplate
    topic = " ".join(topic.split())
    if template.needs_topic and not topic:
        raise TopicRequired

    def text(value) -> str:
        value = str(value)
        return value % {"topic": topic} if template.needs_topic and value else value

    with transaction.atomic():
        survey = Survey.objects.create(
            title=text(template.title)[:200],
            intro=text(template.intro),
            thank_you=text(template.thank_you),
            template_key=template.key,
            created_at=at or timezone.now(),
        )
        for order, spec in enumerate(template.questions):
            question = Question.objects.create(
                survey=survey,
                sort_order=order,
                kind=spec.kind,
                text=text(spec.text)[:300],
                help_text=text(spec.help_text)[:300],
                required=spec.required,
            )
            Choice.objects.bulk_create(
                Choice(question=question, sort_order=n, label=text(label)[:200])
                for n, label in enumerate(spec.choices)
            )
    return survey


# --- Erasure ----------------------------------------------------------------------------


def erase_member_answers(member, keep_posts: bool) -> None:
    """Registered with portal.accounts.erasure: the erased member's non-anonymous responses
    lose their link to the member, their date and their free-text answers (which may name
    the person),
    whatever `keep_posts` says (survey answers are private, not posts). Their choices and
    numbers stay in the survey's results, anonymous like the rest. The participation rows
    stay (the points paid for them are on the books). Idempotent; runs inside the
    erasure's transaction."""
    responses = Response.objects.filter(member=member)
    Answer.objects.filter(response__in=responses, question__kind=QuestionKind.TEXT).delete()
    responses.update(member=None, submitted_on=None)
