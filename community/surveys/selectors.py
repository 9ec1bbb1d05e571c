"""Reads shared by the member pages, the staff pages, the services and the member's data
export. (`is_suspended` is the community's: a suspended member reads but cannot answer.)"""

from datetime import datetime

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from community.models import GroupMembership
from community.moderation import is_suspended
from gamification.models import Action, EarningRule, MemberTier

from .models import Answer, Audience, Participation, QuestionKind, Survey

__all__ = [
    "in_audience",
    "is_suspended",
    "member_survey_data",
    "open_surveys_for",
    "published_for",
    "staff_surveys",
    "survey_points",
    "text_answers",
]


def _audience_of(member) -> Q:
    """Surveys whose audience includes `member` (subqueries: no join, no duplicates)."""
    return (
        Q(audience=Audience.ALL)
        | Q(
            audience=Audience.TIER,
            tier_id__in=MemberTier.objects.filter(member=member).values("tier_id"),
        )
        | Q(
            audience=Audience.GROUP,
            group_id__in=GroupMembership.objects.filter(member=member).values("group_id"),
        )
    )


def in_audience(*, survey: Survey, member) -> bool:
    """Whether `member` is among those the survey is for (at most one query)."""
    if survey.audience == Audience.ALL:
        return True
    if survey.audience == Audience.TIER:
        return MemberTier.objects.filter(member=member, tier_id=survey.tier_id).exists()
    return GroupMembership.objects.filter(member=member, group_id=survey.group_id).exists()


def published_for(*, member) -> QuerySet[Survey]:
    """Published surveys the member is in the audience of, open or not."""
    return Survey.objects.filter(is_published=True).filter(_audience_of(member))


def open_surveys_for(*, member, at: datetime | None = None) -> QuerySet[Survey]:
    """The open surveys the member may answer, closing soonest first, each with `answered`
    (whether the member has) and `question_count`. One query."""
    now = at or timezone.now()
    return (
        published_for(member=member)
        .filter(opens_at__lte=now, closes_at__gt=now)
        .annotate(
            answered=Exists(Participation.objects.filter(survey=OuterRef("pk"), member=member)),
            question_count=Count("questions"),
        )
        .order_by("closes_at", "pk")
    )


def survey_points() -> int:
    """What answering a survey pays now (0 when the rule is off)."""
    rule = EarningRule.objects.filter(action=Action.SURVEY_COMPLETED, is_active=True).first()
    return rule.points if rule else 0


def staff_surveys() -> QuerySet[Survey]:
    """Every survey for the staff list, newest first, with `answered_count`."""
    return (
        Survey.objects.select_related("tier", "group")
        .annotate(answered_count=Count("participations"))
        .order_by(F("opens_at").desc(nulls_first=True), "-pk")
    )


def text_answers(*, question) -> QuerySet[Answer]:
    """A free-text question's non-empty answers, newest day first (anonymous ones, which
    have no day, last and in no telling order)."""
    return (
        Answer.objects.filter(question=question)
        .exclude(text="")
        .annotate(submitted_on=F("response__submitted_on"))
        .order_by(F("submitted_on").desc(nulls_last=True), "id")
    )


def member_survey_data(member) -> dict[str, list[dict]]:
    """For the member's data export: which surveys they answered (anonymous ones too: that
    they answered is all the club knows), and their answers to the non-anonymous ones."""
    answered = [
        {
            "survey": title,
            "anonymous": anonymous,
            "answered_at": timezone.localtime(answered_at).isoformat(),
        }
        for title, anonymous, answered_at in Participation.objects.filter(member=member)
        .order_by("answered_at", "pk")
        .values_list("survey__title", "survey__is_anonymous", "answered_at")
    ]
    answers = []
    for answer in (
        Answer.objects.filter(response__member=member)
        .select_related("response__survey", "question", "choice")
        .order_by(
            "response__submitted_on",
            "response__survey_id",
            "question__sort_order",
            "question_id",
            "choice__sort_order",
        )
    ):
        if answer.question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            value = answer.choice.label if answer.choice else ""
        elif answer.number is not None:
            value = answer.number
        else:
            value = answer.text
        answers.append(
            {
                "survey": answer.response.survey.title,
                "question": answer.question.text,
                "answer": value,
                "submitted_on": answer.response.submitted_on.isoformat()
                if answer.response.submitted_on
                else "",
            }
        )
    return {"surveys_answered": answered, "survey_answers": answers}
