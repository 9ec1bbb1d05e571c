import importlib
import io
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from community.contests import services
from community.contests.models import Choice, Contest, ContestKind, Question, QuestionKind
from community.models import CommunitySettings, Suspension
from gamification import ledger
from gamification.models import Badge, EarningRule, Tier
from portal.accounts import roles

seed_migration = importlib.import_module("gamification.migrations.0002_seed_rules_tiers_badges")


@pytest.fixture(autouse=True)
def club_rules(db):
    """Rules, tiers and badges of gamification 0002 (transactional tests flush them), and
    spam brakes that do not get in the way of tests doing several things in a row."""
    if not (EarningRule.objects.exists() and Badge.objects.exists() and Tier.objects.exists()):
        seed_migration.seed(apps, None)
    settings = CommunitySettings.load()
    settings.seconds_between_posts = 0
    settings.new_account_percent = 100
    settings.save()


def points(member) -> int:
    return ledger.balances(member).points


def picture(fmt: str = "PNG", size=(40, 30), colour=(200, 30, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=fmt)
    return out.getvalue()


def upload(content: bytes | None = None, name: str = "photo.png", content_type="image/png"):
    return SimpleUploadedFile(name, content or picture(), content_type=content_type)


def make_quiz(*, slug="riddles", opens=-1, closes=2, limit=None, winners=3, **fields) -> Contest:
    """A published quiz open from `opens` to `closes` hours from now, with three questions:
    q1 single (2 points, answer "B"), q2 multiple (3 points, answers "X" and "Z"), q3 text
    (1 point, "Zagros")."""
    now = timezone.now()
    fields.setdefault("is_published", True)
    contest = Contest.objects.create(
        kind=ContestKind.QUIZ,
        title=f"Quiz {slug}",
        slug=slug,
        opens_at=now + timedelta(hours=opens),
        closes_at=now + timedelta(hours=closes),
        time_limit_minutes=limit,
        winners_count=winners,
        **fields,
    )
    q1 = Question.objects.create(
        contest=contest, sort_order=0, kind=QuestionKind.SINGLE, text="Pick B", points=2
    )
    for order, (label, right) in enumerate([("A", False), ("B", True), ("C", False)]):
        Choice.objects.create(question=q1, sort_order=order, text=label, is_correct=right)
    q2 = Question.objects.create(
        contest=contest, sort_order=1, kind=QuestionKind.MULTIPLE, text="Pick X and Z", points=3
    )
    for order, (label, right) in enumerate([("X", True), ("Y", False), ("Z", True)]):
        Choice.objects.create(question=q2, sort_order=order, text=label, is_correct=right)
    Question.objects.create(
        contest=contest,
        sort_order=2,
        kind=QuestionKind.TEXT,
        text="Longest mountain range in Iran?",
        points=1,
        accepted_answers="Zagros\nزاگرس",
    )
    return contest


def right_answers(contest: Contest) -> dict:
    """Every question answered correctly."""
    answers = {}
    for question in contest.questions.all():
        if question.kind == QuestionKind.TEXT:
            answers[question.pk] = "  ZAGROS "
        else:
            answers[question.pk] = [c.pk for c in question.choices.all() if c.is_correct]
    return answers


def choice_id(contest: Contest, text: str) -> int:
    return Choice.objects.get(question__contest=contest, text=text).pk


def question(contest: Contest, order: int) -> Question:
    return contest.questions.get(sort_order=order)


def make_photo_contest(
    *, slug="spring", phase="voting", winners=2, max_votes=None, per_member=1, **fields
) -> Contest:
    """A published photo contest; `phase` is where it stands now: "submitting" (photos
    taken, voting not open), "both" (photos and votes), "voting" (votes only), "finished"."""
    now = timezone.now()
    hours = {
        # opens, submissions close, voting opens, closes (hours from now)
        "submitting": (-1, 2, 3, 5),
        "both": (-2, 2, -1, 5),
        "voting": (-5, -2, -1, 5),
        "finished": (-10, -6, -5, -1),
    }[phase]
    fields.setdefault("is_published", True)
    return Contest.objects.create(
        kind=ContestKind.PHOTO,
        title=f"Photos {slug}",
        slug=slug,
        opens_at=now + timedelta(hours=hours[0]),
        submissions_close_at=now + timedelta(hours=hours[1]),
        voting_opens_at=now + timedelta(hours=hours[2]),
        closes_at=now + timedelta(hours=hours[3]),
        winners_count=winners,
        max_votes_per_member=max_votes,
        photos_per_member=per_member,
        **fields,
    )


def enter_photo(contest: Contest, member, caption="My photo", at=None):
    """A photo entered through the service, at a time its submission window was open."""
    when = at or (contest.opens_at + timedelta(minutes=1))
    return services.submit_photo(
        contest=contest, member=member, upload=upload(), caption=caption, at=when
    )


def cast_vote(member, photo, at=None):
    contest = photo.contest
    when = at or max(contest.voting_opens_at + timedelta(minutes=1), timezone.now())
    if when >= contest.closes_at:
        when = contest.closes_at - timedelta(minutes=1)
    return services.vote(member=member, photo=photo, at=when)


@pytest.fixture
def moderator(make_user):
    return make_user(roles.MODERATOR, email="moderator@example.com")


@pytest.fixture
def manager(make_user):
    return make_user(roles.CLUB_MANAGER, email="manager@example.com")


@pytest.fixture
def suspended(make_user, moderator):
    person = make_user(email="suspended@example.com")
    Suspension.objects.create(
        member=person,
        until=timezone.now() + timedelta(days=3),
        reason="spam",
        moderator=moderator,
    )
    return person
