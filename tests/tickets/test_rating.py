"""Satisfaction ratings: once, 1 to 5, only after a resolution; the page and the service."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tickets import access, services
from tickets.models import EventKind, SatisfactionRating, Status, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved(ticket, agent):
    services.assign(ticket=ticket, assignee=agent, actor=agent)
    services.change_status(ticket=ticket, to=Status.RESOLVED, actor=agent)
    return ticket


@pytest.fixture
def guest(ticket):
    client = Client()
    session = client.session
    access.grant(session, ticket)
    session.save()
    return client


def rate_url(ticket) -> str:
    return reverse("tickets:rate", args=[ticket.tracking_code])


def detail_url(ticket) -> str:
    return reverse("tickets:detail", args=[ticket.tracking_code])


def test_a_resolved_ticket_is_rated_once(resolved, agent):
    rating = services.rate(ticket=resolved, score=4, comment="  Quick answer.  ")
    assert (rating.score, rating.comment, rating.agent) == (4, "Quick answer.", agent)
    event = TicketEvent.objects.get(ticket=resolved, kind=EventKind.RATED)
    assert event.detail == {"rating": rating.pk, "score": 4}
    with pytest.raises(services.AlreadyRated):
        services.rate(ticket=resolved, score=5)
    assert SatisfactionRating.objects.get().score == 4


def test_the_rating_keeps_the_agent_of_the_moment(resolved, agent, make_user):
    from portal.accounts import roles

    rating = services.rate(ticket=resolved, score=5)
    services.assign(ticket=resolved, assignee=make_user(roles.SUPPORT_AGENT), actor=agent)
    rating.refresh_from_db()
    assert rating.agent == agent


@pytest.mark.parametrize("status", [Status.NEW, Status.OPEN, Status.WAITING])
def test_no_rating_before_resolution(ticket, agent, status):
    if status != Status.NEW:
        services.change_status(ticket=ticket, to=status, actor=agent)
    with pytest.raises(services.NotRatable):
        services.rate(ticket=ticket, score=5)
    assert not SatisfactionRating.objects.exists()


def test_a_closed_ticket_is_ratable_only_after_a_resolution(open_guest_ticket, agent):
    after = open_guest_ticket()
    services.change_status(ticket=after, to=Status.RESOLVED, actor=agent)
    services.change_status(ticket=after, to=Status.CLOSED, actor=agent)
    assert services.rate(ticket=after, score=3).score == 3

    closed_unresolved = open_guest_ticket()
    services.change_status(ticket=closed_unresolved, to=Status.CLOSED, actor=agent)
    with pytest.raises(services.NotRatable):
        services.rate(ticket=closed_unresolved, score=3)

    reopened = open_guest_ticket()
    services.change_status(ticket=reopened, to=Status.RESOLVED, actor=agent)
    services.add_reply(ticket=reopened, author=None, body="Not fixed")
    assert reopened.status == Status.REOPENED
    with pytest.raises(services.NotRatable):
        services.rate(ticket=reopened, score=1)


def test_a_merged_duplicate_is_not_rated(open_guest_ticket, agent):
    duplicate, kept = open_guest_ticket(), open_guest_ticket()
    services.change_status(ticket=duplicate, to=Status.RESOLVED, actor=agent)
    services.merge(duplicate=duplicate, into=kept, actor=agent)
    with pytest.raises(services.NotRatable):
        services.rate(ticket=duplicate, score=5)


@pytest.mark.parametrize("score", [0, 6, -1, "x", None, "", 2.5])
def test_only_scores_one_to_five(resolved, score):
    with pytest.raises(ValidationError) as caught:
        services.rate(ticket=resolved, score=score)
    assert "score" in caught.value.error_dict
    assert not SatisfactionRating.objects.exists()


def test_a_comment_is_at_most_2000_characters(resolved):
    with pytest.raises(ValidationError) as caught:
        services.rate(ticket=resolved, score=5, comment="x" * 2001)
    assert "comment" in caught.value.error_dict
    assert not SatisfactionRating.objects.exists()


# --- The page --------------------------------------------------------------------------


def test_the_form_appears_only_when_the_ticket_can_be_rated(ticket, guest, agent):
    assert guest.get(detail_url(ticket)).context["rating_form"] is None
    services.change_status(ticket=ticket, to=Status.RESOLVED, actor=agent)
    page = guest.get(detail_url(ticket))
    assert page.context["rating_form"] is not None
    assert rate_url(ticket) in page.content.decode()


def test_the_guest_rates_from_the_page_once(resolved, guest):
    response = guest.post(rate_url(resolved), {"score": "5", "comment": "Great"})
    assert response.status_code == 302 and response["Location"] == detail_url(resolved)
    rating = SatisfactionRating.objects.get()
    assert (rating.score, rating.comment) == (5, "Great")
    page = guest.get(detail_url(resolved))
    assert page.context["rating_form"] is None
    assert "You rated this ticket 5 out of 5" in page.content.decode()

    again = guest.post(rate_url(resolved), {"score": "1"}, follow=True)
    assert "already been rated" in again.content.decode()
    assert SatisfactionRating.objects.get().score == 5


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"score": "6"}, "score"),
        ({"score": ""}, "score"),
        ({"score": "3", "comment": "x" * 2001}, "comment"),
    ],
)
def test_bad_ratings_show_an_error_and_save_nothing(resolved, guest, data, field):
    response = guest.post(rate_url(resolved), data)
    assert response.status_code == 200
    assert response.context["rating_form"].errors[field]
    assert 'role="alert"' in response.content.decode()
    assert not SatisfactionRating.objects.exists()


def test_rating_before_resolution_from_the_page_is_refused(ticket, guest):
    response = guest.post(rate_url(ticket), {"score": "5"}, follow=True)
    assert "once it is resolved" in response.content.decode()
    assert not SatisfactionRating.objects.exists()


def test_nobody_else_rates(resolved, member_client):
    assert member_client.post(rate_url(resolved), {"score": "1"}).status_code == 404
    assert Client().post(rate_url(resolved), {"score": "1"}).status_code == 404
    assert not SatisfactionRating.objects.exists()


def test_a_member_rates_their_ticket(member_client, member, category, agent):
    ticket = services.open_ticket(
        kind="support", category=category, subject="x", description="y", member=member
    )
    services.change_status(ticket=ticket, to=Status.RESOLVED, actor=agent)
    assert member_client.post(rate_url(ticket), {"score": "2"}).status_code == 302
    assert SatisfactionRating.objects.get(ticket=ticket).score == 2
    assert TicketEvent.objects.get(kind=EventKind.RATED).actor == member
