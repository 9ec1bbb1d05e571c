"""Building contests in the Wagtail admin: club managers add quizzes with their questions
and choices inline, and photo contests; the form refuses what cannot work; other roles
have no access."""

import pytest
from django.urls import reverse

from community.contests import services
from community.contests.models import Choice, Contest, ContestKind, Question, QuestionKind
from portal.accounts import roles

from .conftest import make_quiz

pytestmark = pytest.mark.django_db

ADD = reverse("wagtailsnippets_contests_contest:add")
LIST = reverse("wagtailsnippets_contests_contest:list")


def edit_url(contest) -> str:
    return reverse("wagtailsnippets_contests_contest:edit", args=[contest.pk])


def form_data(*, kind=ContestKind.QUIZ, slug="brain-teasers", questions=None, **extra) -> dict:
    """The admin form's POST data. `questions`: dicts with kind, text, points, accepted,
    choices [(label, correct)], and optionally id (existing question)."""
    if questions is None:
        questions = [
            {
                "kind": QuestionKind.SINGLE,
                "text": "2 + 2?",
                "choices": [("3", False), ("4", True)],
            },
            {"kind": QuestionKind.TEXT, "text": "Capital of France?", "accepted": "Paris"},
        ]
    data = {
        "kind": kind,
        "title": "Brain teasers",
        "slug": slug,
        "description": "",
        "is_published": "on",
        "opens_at": "2026-01-01 09:00",
        "closes_at": "2036-01-01 09:00",
        "submissions_close_at": "",
        "voting_opens_at": "",
        "time_limit_minutes": "10",
        "photos_per_member": "1",
        "max_votes_per_member": "",
        "winners_count": "3",
        "pays_points": "on",
        "badge": "",
        "questions-TOTAL_FORMS": str(len(questions)),
        "questions-INITIAL_FORMS": str(sum(1 for q in questions if q.get("id"))),
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    data.update(extra)
    for n, question in enumerate(questions):
        prefix = f"questions-{n}"
        data.update(
            {
                f"{prefix}-id": question.get("id", ""),
                f"{prefix}-ORDER": str(n + 1),
                f"{prefix}-kind": question["kind"],
                f"{prefix}-text": question["text"],
                f"{prefix}-points": str(question.get("points", 1)),
                f"{prefix}-accepted_answers": question.get("accepted", ""),
            }
        )
        choices = question.get("choices", [])
        data.update(
            {
                f"{prefix}-choices-TOTAL_FORMS": str(len(choices)),
                f"{prefix}-choices-INITIAL_FORMS": "0",
                f"{prefix}-choices-MIN_NUM_FORMS": "0",
                f"{prefix}-choices-MAX_NUM_FORMS": "1000",
            }
        )
        for m, (label, correct) in enumerate(choices):
            choice = f"{prefix}-choices-{m}"
            data.update(
                {f"{choice}-id": "", f"{choice}-ORDER": str(m + 1), f"{choice}-text": label}
            )
            if correct:
                data[f"{choice}-is_correct"] = "on"
    return data


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def errors_of(response) -> str:
    assert response.status_code == 200, "the form should have been shown again"
    return response.content.decode()


def test_a_club_manager_sees_the_contests_menu_list_and_forms(manager_client):
    assert manager_client.get(LIST).status_code == 200
    add = manager_client.get(ADD)
    assert add.status_code == 200
    assert "questions-__prefix__-choices" in add.content.decode()  # the nested panel
    quiz = make_quiz(slug="edited")
    assert manager_client.get(edit_url(quiz)).status_code == 200
    home = manager_client.get(reverse("wagtailadmin_home")).content.decode()
    assert LIST in home and "Contests" in home


@pytest.mark.parametrize(
    "role", [roles.MEMBER, roles.MODERATOR, roles.SUPPORT_AGENT, roles.CASHIER]
)
def test_other_roles_cannot_open_contests_in_the_admin(client, make_user, role):
    client.force_login(make_user(role))
    for url in (LIST, ADD):
        response = client.get(url)
        assert response.status_code in (302, 403)
    assert client.post(ADD, form_data()).status_code in (302, 403)
    assert not Contest.objects.exists()


def test_a_club_manager_adds_a_quiz_with_questions_and_choices(manager_client):
    response = manager_client.post(ADD, form_data())

    assert response.status_code == 302, response.content.decode()[:3000]
    contest = Contest.objects.get(slug="brain-teasers")
    assert contest.kind == ContestKind.QUIZ and contest.time_limit_minutes == 10
    first, second = contest.questions.order_by("sort_order")
    assert first.text == "2 + 2?"
    assert [(c.text, c.is_correct) for c in first.choices.order_by("sort_order")] == [
        ("3", False),
        ("4", True),
    ]
    assert second.kind == QuestionKind.TEXT and second.accepted() == ["Paris"]


def test_a_club_manager_adds_a_photo_contest(manager_client):
    data = form_data(
        kind=ContestKind.PHOTO,
        slug="spring-photos",
        questions=[],
        submissions_close_at="2030-01-01 09:00",
        voting_opens_at="2030-01-02 09:00",
        max_votes_per_member="3",
    )

    response = manager_client.post(ADD, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    contest = Contest.objects.get(slug="spring-photos")
    assert contest.is_photo and contest.max_votes_per_member == 3


@pytest.mark.parametrize(
    ("questions", "message"),
    [
        (
            [{"kind": QuestionKind.SINGLE, "text": "Q", "choices": [("a", True), ("b", True)]}],
            "needs exactly one correct choice",
        ),
        (
            [{"kind": QuestionKind.MULTIPLE, "text": "Q", "choices": [("a", False), ("b", False)]}],
            "needs at least one correct choice",
        ),
        (
            [{"kind": QuestionKind.SINGLE, "text": "Q", "choices": [("a", True)]}],
            "needs at least two choices",
        ),
        (
            [{"kind": QuestionKind.TEXT, "text": "Q", "accepted": ""}],
            "at least one accepted answer",
        ),
        ([], "needs at least one question"),
    ],
)
def test_a_quiz_that_cannot_work_is_refused(manager_client, questions, message):
    response = manager_client.post(ADD, form_data(questions=questions))

    assert message in errors_of(response)
    assert not Contest.objects.exists()


def test_a_photo_contest_needs_its_windows_in_order(manager_client):
    data = form_data(
        kind=ContestKind.PHOTO,
        questions=[],
        submissions_close_at="2040-01-01 09:00",  # after the close
        voting_opens_at="",
    )

    page = errors_of(manager_client.post(ADD, data))

    assert "Submissions must close after the contest opens" in page
    assert "A photo contest needs a time when voting opens" in page
    assert not Contest.objects.exists()


def test_the_close_must_come_after_the_opening(manager_client):
    page = errors_of(manager_client.post(ADD, form_data(closes_at="2025-01-01 09:00")))

    assert "must close after it opens" in page
    assert not Contest.objects.exists()


def test_the_questions_of_an_answered_quiz_cannot_change(manager_client, member):
    quiz = make_quiz(slug="answered")
    services.start_attempt(contest=quiz, member=member)
    q1 = quiz.questions.get(sort_order=0)
    data = form_data(
        slug="answered",
        questions=[{"id": q1.pk, "kind": QuestionKind.TEXT, "text": "Changed", "accepted": "x"}],
    )
    # The existing question's choices as they are.
    data.update({"questions-0-choices-TOTAL_FORMS": "0"})

    page = errors_of(manager_client.post(edit_url(quiz), data))

    assert "can no longer change" in page
    q1.refresh_from_db()
    assert q1.text == "Pick B" and q1.kind == QuestionKind.SINGLE
    assert Question.objects.filter(contest=quiz).count() == 3
    assert Choice.objects.filter(question=q1).count() == 3
