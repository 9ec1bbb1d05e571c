"""The hall of fame shows members' public names, @handles and tiers, never their e-mail
address or mobile number, and drops erased or deactivated members."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community.profiles import profile_for
from gamification.models import MemberTier, Tier
from showcase.models import HallOfFameEntry

from .conftest import make_image

pytestmark = pytest.mark.django_db


def _enter(hall, member, n=0):
    return HallOfFameEntry.objects.create(
        page=hall, member=member, title=f"Star {n}", period="2025", sort_order=n,
        photo=make_image(f"Photo {n}"),
    )  # fmt: skip


def test_shows_public_name_handle_and_tier_but_no_private_data(client, hall, make_user):
    famous = make_user(
        email="famous.person@example.com", first_name="Famous", last_name="Person",
        mobile="+989121234567",
    )  # fmt: skip
    handle = profile_for(famous).handle
    tier = Tier.objects.create(name="Gold star", slug="gold-star", threshold=987654)
    MemberTier.objects.update_or_create(member=famous, defaults={"tier": tier})
    _enter(hall, famous)
    body = client.get(hall.url).content.decode()
    assert "Famous P." in body and f"@{handle}" in body and "Gold star" in body
    for private in ["famous.person", "example.com", "9121234567", "Person"]:
        assert private not in body


def test_a_member_without_a_name_is_shown_by_handle_never_by_email(client, hall, make_user):
    nameless = make_user(email="secret.address@example.com", first_name="", last_name="")
    _enter(hall, nameless)
    body = client.get(hall.url).content.decode()
    assert "secret.address" not in body
    assert "Club member" in body


def test_erased_and_deactivated_members_drop_out(client, hall, make_user):
    kept, erased, off = make_user(), make_user(), make_user()
    for n, member in enumerate([kept, erased, off]):
        _enter(hall, member, n)
    type(erased).objects.filter(pk=erased.pk).update(erased_at=timezone.now())
    type(off).objects.filter(pk=off.pk).update(is_active=False)
    body = client.get(hall.url).content.decode()
    assert "Star 0" in body and "Star 1" not in body and "Star 2" not in body


def test_hall_of_fame_keeps_a_constant_number_of_queries(client, hall, make_user):
    _enter(hall, make_user(), 0)
    client.get(hall.url)
    with CaptureQueriesContext(connection) as one:
        client.get(hall.url)
    for n in range(1, 6):
        member = make_user()
        profile_for(member)
        _enter(hall, member, n)
    client.get(hall.url)
    with CaptureQueriesContext(connection) as many:
        body = client.get(hall.url).content.decode()
    assert body.count("Star ") == 6
    assert len(many) == len(one)


def test_an_erased_member_leaves_the_hall_of_fame(client, hall, make_user):
    from datetime import timedelta

    from portal.accounts import erasure

    leaving, staying = make_user(), make_user()
    _enter(hall, leaving, 0)
    _enter(hall, staying, 1)
    request = erasure.request_erasure(member=leaving, posts="keep")
    assert erasure.erase_member(request_id=request.pk, now=timezone.now() + timedelta(days=60))
    assert list(HallOfFameEntry.objects.values_list("member", flat=True)) == [staying.pk]
    body = client.get(hall.url).content.decode()
    assert "Star 1" in body and "Star 0" not in body
