"""Demo contests for `manage.py seed_demo` (portal/demo.py calls seed_contests after the
demo people exist): a quiz open now, and a photo contest that finished with its winners
paid. Idempotent: a contest that exists is left as it is. Entries go through the real
services, at past times for the finished contest."""

import io
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from gamification.models import Badge

from . import services
from .models import Choice, Contest, ContestKind, Question, QuestionKind

QUIZ_SLUG = "management-riddles"
PHOTO_SLUG = "branch-in-spring"
# The demo members of portal/demo.py (MEMBERS and the demo member).
ENTRANTS = [
    ("member@club.example", "Blossoms by the Tehran Central door", (214, 92, 120)),
    ("ali@club.example", "Morning light in Naqsh-e Jahan", (230, 170, 40)),
    ("maryam@club.example", "Our cashier's tulips", (200, 40, 60)),
    ("zahra@club.example", "Rain on Zand Boulevard", (60, 110, 180)),
]
# Who votes for whose photo (by index in ENTRANTS; nobody votes for their own).
VOTES = {
    "john@club.example": [1, 2],
    "member@club.example": [1, 3],
    "ali@club.example": [2],
    "maryam@club.example": [1],
    "zahra@club.example": [2, 0],
}

QUIZ = [
    (
        QuestionKind.SINGLE,
        "A team of 6 finishes a project in 10 days. Working as fast, how many days do 4 "
        "people need?",
        2,
        [("12", False), ("15", True), ("8", False), ("20", False)],
        "",
    ),
    (
        QuestionKind.MULTIPLE,
        "Which of these are good practices for a weekly team meeting? (all that apply)",
        2,
        [
            ("A written agenda sent beforehand", True),
            ("Notes with owners and dates", True),
            ("Letting it run as long as needed", False),
            ("Reading every report aloud", False),
        ],
        "",
    ),
    (
        QuestionKind.TEXT,
        "What number comes next: 2, 6, 12, 20, 30, …?",
        3,
        [],
        "42",
    ),
    (
        QuestionKind.SINGLE,
        "A manager has 3 tasks: urgent and important, important not urgent, urgent not "
        "important. By the Eisenhower matrix, which one should they delegate?",
        1,
        [
            ("Urgent and important", False),
            ("Important, not urgent", False),
            ("Urgent, not important", True),
        ],
        "",
    ),
]


def _picture(colour: tuple[int, int, int], label: str) -> SimpleUploadedFile:
    """A small made-up photo: a gradient of `colour` with a sun, as a JPEG upload."""
    width, height = 480, 360
    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        shade = tuple(min(255, int(c * (0.55 + 0.45 * y / height))) for c in colour)
        draw.line([(0, y), (width, y)], fill=shade)
    draw.ellipse([width - 140, 30, width - 50, 120], fill=(255, 236, 170))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return SimpleUploadedFile(f"{label}.jpg", out.getvalue(), content_type="image/jpeg")


def _seed_quiz(now) -> Contest:
    contest = Contest.objects.filter(slug=QUIZ_SLUG).first()
    if contest is not None:
        return contest
    with transaction.atomic():
        contest = Contest.objects.create(
            kind=ContestKind.QUIZ,
            title="Management riddles",
            slug=QUIZ_SLUG,
            description=(
                "Four short puzzles about running a team. One attempt, ten minutes. The three "
                "best scores (ties go to the faster) win the 'Contest won' points."
            ),
            is_published=True,
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=14),
            time_limit_minutes=10,
            winners_count=3,
        )
        for order, (kind, text, points, choices, accepted) in enumerate(QUIZ):
            question = Question.objects.create(
                contest=contest,
                sort_order=order,
                kind=kind,
                text=text,
                points=points,
                accepted_answers=accepted,
            )
            for position, (label, correct) in enumerate(choices):
                Choice.objects.create(
                    question=question, sort_order=position, text=label, is_correct=correct
                )
    return contest


def _seed_photo_contest(now) -> Contest | None:
    contest = Contest.objects.filter(slug=PHOTO_SLUG).first()
    if contest is not None:
        return contest
    users = get_user_model().objects.in_bulk(
        [email for email, *_ in ENTRANTS] + list(VOTES), field_name="email"
    )
    if len(users) < len(ENTRANTS):
        return None  # the demo people are not there
    badge, _created = Badge.objects.get_or_create(
        slug="photo-contest-winner",
        defaults={
            "name": "Photo contest winner",
            "description": "Won a place in a photo contest.",
            "colour": "#b8860b",
        },
    )
    opens = now - timedelta(days=20)
    contest = Contest.objects.create(
        kind=ContestKind.PHOTO,
        title="Our branch in spring",
        slug=PHOTO_SLUG,
        description=(
            "Show us spring at your branch. One photo per member; vote for up to two photos "
            "(not your own). The two photos with the most votes win points and a badge."
        ),
        is_published=True,
        opens_at=opens,
        submissions_close_at=opens + timedelta(days=8),
        voting_opens_at=opens + timedelta(days=9),
        closes_at=now - timedelta(days=1),
        max_votes_per_member=2,
        winners_count=2,
        badge=badge,
    )
    photos = []
    for index, (email, caption, colour) in enumerate(ENTRANTS):
        photos.append(
            services.submit_photo(
                contest=contest,
                member=users[email],
                upload=_picture(colour, f"spring-{index}"),
                caption=caption,
                at=opens + timedelta(days=1, hours=index),
            )
        )
    for number, (email, picks) in enumerate(VOTES.items()):
        voter = users.get(email)
        if voter is None:
            continue
        for offset, index in enumerate(picks):
            services.vote(
                member=voter,
                photo=photos[index],
                at=opens + timedelta(days=10, hours=number, minutes=offset),
            )
    services.close_contest(contest=contest, at=now)
    return contest


def seed_contests() -> list[Contest]:
    now = timezone.now()
    contests = [_seed_quiz(now), _seed_photo_contest(now)]
    return [contest for contest in contests if contest is not None]
