"""The contest pages for each role: anonymous visitors go to log in, members take part,
moderators also remove photos, suspended members may look but not take part. Correct
answers never reach a member's page before the close. Lists keep a constant query count."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community.contests import services
from community.contests.models import Attempt, Contest, ContestPhoto, PhotoVote
from community.models import ModerationLog

from .conftest import (
    cast_vote,
    choice_id,
    enter_photo,
    make_photo_contest,
    make_quiz,
    question,
    right_answers,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz():
    return make_quiz(slug="riddles")


@pytest.fixture
def photo_contest():
    return make_photo_contest(slug="spring", phase="both")


@pytest.fixture
def photo(photo_contest, make_user):
    return enter_photo(photo_contest, make_user(email="author@example.com"))


def login(client, user):
    client.force_login(user)
    return client


def read_urls(quiz, photo_contest):
    return [
        reverse("contests:list"),
        reverse("contests:winners"),
        reverse("contests:detail", args=[quiz.slug]),
        reverse("contests:detail", args=[photo_contest.slug]),
        reverse("contests:results", args=[quiz.slug]),
        reverse("contests:gallery", args=[photo_contest.slug]),
        reverse("contests:photo-new", args=[photo_contest.slug]),
    ]


def text_of(response) -> str:
    return response.content.decode()


# --- Anonymous --------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in_everywhere(client, quiz, photo):
    contest = photo.contest
    urls = read_urls(quiz, contest)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    posts = [
        reverse("contests:quiz-start", args=[quiz.slug]),
        reverse("contests:quiz", args=[quiz.slug]),
        reverse("contests:vote", args=[contest.slug, photo.pk]),
        reverse("contests:unvote", args=[contest.slug, photo.pk]),
        reverse("contests:photo-remove", args=[contest.slug, photo.pk]),
        reverse("contests:photo-restore", args=[contest.slug, photo.pk]),
    ]
    for url in posts:
        response = client.post(url, {"reason": "x"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert not Attempt.objects.exists() and not PhotoVote.objects.exists()
    photo.refresh_from_db()
    assert not photo.is_hidden


# --- Members ----------------------------------------------------------------------------------


def test_members_see_every_page(client, member, quiz, photo):
    login(client, member)
    for url in read_urls(quiz, photo.contest):
        assert client.get(url).status_code == 200, url


def test_the_list_shows_running_upcoming_and_finished_published_contests(client, member):
    make_quiz(slug="now", opens=-1, closes=1)
    make_quiz(slug="later", opens=2, closes=4)
    make_quiz(slug="over", opens=-4, closes=-2)
    make_quiz(slug="hidden-draft", is_published=False)

    page = text_of(login(client, member).get(reverse("contests:list")))

    for slug in ["now", "later", "over"]:
        assert f"/community/contests/{slug}/" in page
    assert "hidden-draft" not in page
    assert client.get(reverse("contests:detail", args=["hidden-draft"])).status_code == 404


def test_a_member_takes_a_quiz_through_the_pages(client, member, quiz):
    login(client, member)

    response = client.post(reverse("contests:quiz-start", args=[quiz.slug]))
    assert response.status_code == 302 and response["Location"].endswith("/quiz/")
    page = client.get(reverse("contests:quiz", args=[quiz.slug]))
    assert page.status_code == 200
    form = {
        f"q{question(quiz, 0).pk}": str(choice_id(quiz, "B")),
        f"q{question(quiz, 1).pk}": [str(choice_id(quiz, "X")), str(choice_id(quiz, "Z"))],
        f"q{question(quiz, 2).pk}": "zagros",
    }
    response = client.post(reverse("contests:quiz", args=[quiz.slug]), form)

    assert response.status_code == 302 and response["Location"].endswith("/results/")
    attempt = Attempt.objects.get(member=member)
    assert attempt.score == 6
    # Back to the quiz page: it is done, straight to the results.
    assert client.get(reverse("contests:quiz", args=[quiz.slug]))["Location"].endswith("/results/")


def test_a_second_attempt_through_the_pages_is_refused(client, member, quiz):
    attempt = services.start_attempt(contest=quiz, member=member)
    services.submit_attempt(attempt=attempt, answers={})
    login(client, member)

    response = client.post(reverse("contests:quiz-start", args=[quiz.slug]))

    assert response.status_code == 302
    assert "already taken part" in str(list(get_messages(response.wsgi_request))[0])
    assert Attempt.objects.count() == 1


def test_a_late_answer_page_says_time_ran_out(client, member):
    quiz = make_quiz(limit=5)
    services.start_attempt(contest=quiz, member=member, at=timezone.now() - timedelta(minutes=7))
    login(client, member)

    page = client.get(reverse("contests:quiz", args=[quiz.slug]))
    assert "Time ran out" in text_of(page)
    response = client.post(reverse("contests:quiz", args=[quiz.slug]), {})
    assert "Time ran out" in text_of(response)
    assert not Attempt.objects.get().is_submitted


def test_correct_answers_never_reach_the_page_before_the_close(client, member, quiz):
    login(client, member)
    client.post(reverse("contests:quiz-start", args=[quiz.slug]))

    page = text_of(client.get(reverse("contests:quiz", args=[quiz.slug])))
    assert "Pick B" in page
    assert "Zagros" not in page and "زاگرس" not in page
    assert "correct" not in page.lower()
    # Every choice is marked up alike: nothing tells the right one apart.
    for label in ["A", "B", "C"]:
        assert f'value="{choice_id(quiz, label)}"' in page

    attempt = Attempt.objects.get(member=member)
    services.submit_attempt(attempt=attempt, answers=right_answers(quiz))
    results = text_of(client.get(reverse("contests:results", args=[quiz.slug])))
    assert "Zagros" not in results and "is-correct" not in results
    assert "Your score" not in results


def test_after_the_close_members_see_the_answers_their_score_and_the_table(client, member, quiz):
    attempt = services.start_attempt(contest=quiz, member=member)
    services.submit_attempt(attempt=attempt, answers=right_answers(quiz))
    Contest.objects.filter(pk=quiz.pk).update(
        opens_at=timezone.now() - timedelta(hours=3), closes_at=timezone.now() - timedelta(hours=1)
    )
    services.close_due_contests()

    results = text_of(login(client, member).get(reverse("contests:results", args=[quiz.slug])))

    assert "Zagros" in results and "is-correct" in results
    assert "Your score: 6" in results
    assert "Winners" in results and member.display_name in results


def test_a_member_votes_and_takes_the_vote_back_without_javascript(client, member, photo):
    login(client, member)
    contest = photo.contest

    response = client.post(reverse("contests:vote", args=[contest.slug, photo.pk]), {"page": "1"})

    assert response.status_code == 302
    assert (
        response["Location"]
        == f"/community/contests/{contest.slug}/photos/?page=1#photo-{photo.pk}"
    )
    assert PhotoVote.objects.filter(member=member, photo=photo).count() == 1
    gallery = text_of(client.get(reverse("contests:gallery", args=[contest.slug])))
    assert "Take my vote back" in gallery

    client.post(reverse("contests:unvote", args=[contest.slug, photo.pk]))
    assert not PhotoVote.objects.exists()


def test_votes_are_post_only(client, member, photo):
    login(client, member)

    response = client.get(reverse("contests:vote", args=[photo.contest.slug, photo.pk]))

    assert response.status_code == 405
    assert not PhotoVote.objects.exists()


def test_no_vote_button_on_ones_own_photo_and_no_vote_through_the_url(client, photo):
    login(client, photo.author)
    contest = photo.contest

    gallery = text_of(client.get(reverse("contests:gallery", args=[contest.slug])))
    assert "Your photo" in gallery
    assert reverse("contests:vote", args=[contest.slug, photo.pk]) not in gallery

    response = client.post(reverse("contests:vote", args=[contest.slug, photo.pk]))
    assert response.status_code == 302
    assert "own photo" in str(list(get_messages(response.wsgi_request))[0])
    assert not PhotoVote.objects.exists()


def test_a_member_enters_a_photo_through_the_form(client, member, photo_contest):
    login(client, member)

    response = client.post(
        reverse("contests:photo-new", args=[photo_contest.slug]),
        {"photo": upload(), "caption": "Tulips"},
    )

    assert response.status_code == 302
    assert ContestPhoto.objects.get(author=member).body == "Tulips"


def test_a_bad_picture_shows_an_error_on_the_form(client, member, photo_contest):
    login(client, member)

    response = client.post(
        reverse("contests:photo-new", args=[photo_contest.slug]),
        {"photo": upload(b"GIF89a not really", name="x.gif"), "caption": "Hmm"},
    )

    assert response.status_code == 200
    assert "Only JPEG, PNG or WebP pictures" in text_of(response)
    assert not ContestPhoto.objects.exists()


def test_members_cannot_remove_photos(client, member, photo):
    login(client, member)
    contest = photo.contest
    for name in ["contests:photo-remove", "contests:photo-restore"]:
        url = reverse(name, args=[contest.slug, photo.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, {"reason": "I do not like it"}).status_code == 403
    photo.refresh_from_db()
    assert not photo.is_hidden
    assert not ModerationLog.objects.exists()
    gallery = text_of(client.get(reverse("contests:gallery", args=[contest.slug])))
    assert "/remove/" not in gallery


def test_hidden_photos_are_not_shown_to_members(client, member, photo, moderator):
    services.remove_photo(photo=photo, moderator=moderator, reason="spam")
    login(client, member)

    gallery = text_of(client.get(reverse("contests:gallery", args=[photo.contest.slug])))

    assert f"photo-{photo.pk}" not in gallery


# --- Moderators -------------------------------------------------------------------------------


def test_a_moderator_removes_and_restores_a_photo(client, moderator, photo):
    login(client, moderator)
    contest = photo.contest
    gallery = text_of(client.get(reverse("contests:gallery", args=[contest.slug])))
    remove_url = reverse("contests:photo-remove", args=[contest.slug, photo.pk])
    assert remove_url in gallery
    assert client.get(remove_url).status_code == 200

    response = client.post(remove_url, {"reason": "not spring"})

    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.is_hidden and photo.hidden_reason == "not spring"
    # Moderators still see it, marked, with a way back.
    gallery = text_of(client.get(reverse("contests:gallery", args=[contest.slug])))
    assert f"photo-{photo.pk}" in gallery and "removed" in gallery
    restore_url = reverse("contests:photo-restore", args=[contest.slug, photo.pk])
    client.post(restore_url, {"reason": "my mistake"})
    photo.refresh_from_db()
    assert not photo.is_hidden
    assert ModerationLog.objects.count() == 2


def test_removing_without_a_reason_shows_the_form_again(client, moderator, photo):
    login(client, moderator)

    response = client.post(
        reverse("contests:photo-remove", args=[photo.contest.slug, photo.pk]), {"reason": ""}
    )

    assert response.status_code == 200
    photo.refresh_from_db()
    assert not photo.is_hidden


def test_moderators_see_the_member_pages(client, moderator, quiz, photo):
    login(client, moderator)
    for url in read_urls(quiz, photo.contest):
        assert client.get(url).status_code == 200, url


# --- Suspended members ------------------------------------------------------------------------


def test_suspended_members_may_look_but_not_take_part(client, suspended, quiz, photo):
    login(client, suspended)
    contest = photo.contest
    for url in read_urls(quiz, contest):
        assert client.get(url).status_code == 200, url

    response = client.post(reverse("contests:quiz-start", args=[quiz.slug]))
    assert "suspended" in str(list(get_messages(response.wsgi_request))[0])
    response = client.post(reverse("contests:vote", args=[contest.slug, photo.pk]))
    assert "suspended" in str(list(get_messages(response.wsgi_request))[0])
    response = client.post(
        reverse("contests:photo-new", args=[contest.slug]), {"photo": upload(), "caption": "Hi"}
    )
    assert response.status_code == 200 and "suspended" in text_of(response)

    assert not Attempt.objects.exists()
    assert not PhotoVote.objects.exists()
    assert ContestPhoto.objects.count() == 1
    assert (
        client.post(
            reverse("contests:photo-remove", args=[contest.slug, photo.pk]), {"reason": "x"}
        ).status_code
        == 403
    )


# --- Query counts -----------------------------------------------------------------------------


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def add_photos(contest, make_user, count):
    for _ in range(count):
        author = make_user()
        ContestPhoto.objects.create(
            contest=contest, author=author, body="A photo", photo="contests/x.png"
        )


@pytest.mark.parametrize("as_moderator", [False, True])
def test_the_gallery_costs_the_same_queries_for_1_and_50_photos(
    client, member, moderator, make_user, django_assert_num_queries, as_moderator
):
    viewer = moderator if as_moderator else member
    login(client, viewer)
    small = make_photo_contest(slug="small", phase="both", max_votes=60)
    large = make_photo_contest(slug="large", phase="both", max_votes=60)
    add_photos(small, make_user, 1)
    add_photos(large, make_user, 50)
    for contest in (small, large):
        for photo in ContestPhoto.objects.filter(contest=contest)[:1]:
            cast_vote(viewer, photo)
    expected = queries_for(client, reverse("contests:gallery", args=["small"]))

    with django_assert_num_queries(expected):
        response = client.get(reverse("contests:gallery", args=["large"]))
    assert response.content.decode().count('class="photo-card') == 24  # one page


def test_the_quiz_results_cost_the_same_queries_for_1_and_50_rows(
    client, member, make_user, django_assert_num_queries
):
    login(client, member)
    quizzes = {name: make_quiz(slug=name, opens=-3, closes=-1) for name in ("one", "fifty")}
    for name, count in (("one", 1), ("fifty", 50)):
        for index in range(count):
            Attempt.objects.create(
                contest=quizzes[name],
                member=make_user(),
                started_at=timezone.now() - timedelta(hours=2),
                deadline_at=timezone.now() - timedelta(hours=1),
                submitted_at=timezone.now() - timedelta(hours=2),
                score=index,
                duration_ms=1000 * index,
            )
        services.close_contest(contest=quizzes[name])
    expected = queries_for(client, reverse("contests:results", args=["one"]))

    with django_assert_num_queries(expected):
        response = client.get(reverse("contests:results", args=["fifty"]))
    assert response.content.decode().count("<tr") == 51  # the head and 50 rows


def test_the_photo_results_cost_the_same_queries_for_1_and_50_photos(
    client, member, make_user, django_assert_num_queries
):
    login(client, member)
    small = make_photo_contest(slug="small", phase="finished")
    large = make_photo_contest(slug="large", phase="finished")
    add_photos(small, make_user, 1)
    add_photos(large, make_user, 50)
    ContestPhoto.objects.update(vote_count=1)
    for contest in (small, large):
        services.close_contest(contest=contest)
    expected = queries_for(client, reverse("contests:results", args=["small"]))

    with django_assert_num_queries(expected):
        client.get(reverse("contests:results", args=["large"]))


def test_the_winners_page_costs_the_same_queries_for_1_and_10_contests(
    client, member, make_user, django_assert_num_queries
):
    login(client, member)

    def finished_contests(count, prefix):
        for index in range(count):
            contest = make_photo_contest(slug=f"{prefix}{index}", phase="finished")
            add_photos(contest, make_user, 2)
            ContestPhoto.objects.filter(contest=contest).update(vote_count=1)
            services.close_contest(contest=contest)

    finished_contests(1, "a")
    expected = queries_for(client, reverse("contests:winners"))
    finished_contests(9, "b")

    with django_assert_num_queries(expected):
        client.get(reverse("contests:winners"))
