"""The community's pages for each role: anonymous visitors go to log in, members use the
member pages, moderators also the moderation screens (members and the club manager get
403 there), suspended members read but every action tells them until when. POST forms work
without JavaScript and need the CSRF token."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community import flags, moderation, services
from community.models import (
    Comment,
    Flag,
    GroupMembership,
    InterestGroup,
    Like,
    MemberFollow,
    ModerationLog,
    StatusUpdate,
    Suspension,
)
from community.profiles import profile_for
from gamification import ledger
from portal.accounts import roles

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loose_brakes")]


@pytest.fixture
def group(db):
    return InterestGroup.objects.create(name="Coffee lovers", slug="coffee", description="Beans")


@pytest.fixture
def suspended(make_user, moderator):
    person = make_user(first_name="Sue", last_name="Spended")
    profile_for(person)
    moderation.suspend(
        member=person,
        moderator=moderator,
        until=timezone.now() + timedelta(days=2),
        reason="spamming",
    )
    return person


def login(client, user):
    client.force_login(user)
    return client


def member_pages(status, group):
    return [
        reverse("community:feed"),
        reverse("community:status", args=[status.pk]),
        reverse("community:member", args=["ada_l"]),
        reverse("community:profile-edit"),
        reverse("community:groups"),
        reverse("community:group", args=[group.slug]),
        reverse("community:flag", args=["community.statusupdate", status.pk]),
    ]


def moderation_pages(author):
    return [
        reverse("community:moderation-queue"),
        reverse("community:moderation-log"),
        reverse("community:moderation-member", args=[author.pk]),
    ]


# --- who may open what ------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in_everywhere(client, author, status, group):
    for url in member_pages(status, group) + moderation_pages(author) + [reverse("community:me")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/accounts/login/" in response["Location"], url


def test_anonymous_posts_change_nothing(client, status, group):
    posts = [
        reverse("community:like", args=["community.statusupdate", status.pk]),
        reverse("community:status-create"),
        reverse("community:comment-create", args=[status.pk]),
        reverse("community:follow", args=["ada_l"]),
        reverse("community:group-join", args=[group.slug]),
    ]
    for url in posts:
        response = client.post(url, {"body": "hi"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert (Like.objects.count(), Comment.objects.count(), StatusUpdate.objects.count()) == (
        0,
        0,
        1,
    )
    assert not GroupMembership.objects.exists() and not MemberFollow.objects.exists()


@pytest.mark.parametrize("role", ["member", "moderator", "suspended"])
def test_members_moderators_and_suspended_members_read_the_member_pages(
    request, client, author, status, group, role
):
    user = request.getfixturevalue(role)
    login(client, user)
    for url in member_pages(status, group):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("community:me")).status_code == 302


@pytest.mark.parametrize(
    "role", [roles.MEMBER, roles.SUPPORT_AGENT, roles.CASHIER, roles.CLUB_MANAGER]
)
def test_moderation_screens_are_forbidden_without_the_permission(client, make_user, author, role):
    login(client, make_user(role))
    for url in moderation_pages(author):
        assert client.get(url).status_code == 403, url


def test_suspended_members_cannot_open_the_moderation_screens(client, suspended, author):
    login(client, suspended)
    for url in moderation_pages(author):
        assert client.get(url).status_code == 403


def test_moderators_and_superusers_open_the_moderation_screens(
    client, moderator, author, django_user_model
):
    login(client, moderator)
    for url in moderation_pages(author):
        assert client.get(url).status_code == 200, url
    root = django_user_model.objects.create_superuser("root@example.com", "pw-root-123456")
    login(client, root)
    for url in moderation_pages(author):
        assert client.get(url).status_code == 200, url


def test_post_only_views_refuse_get(member_client, status, group):
    for url in (
        reverse("community:like", args=["community.statusupdate", status.pk]),
        reverse("community:status-create"),
        reverse("community:follow", args=["ada_l"]),
        reverse("community:group-join", args=[group.slug]),
    ):
        assert member_client.get(url).status_code == 405


def test_the_moderation_link_shows_only_for_moderators(client, member, moderator):
    queue = reverse("community:moderation-queue")
    assert queue not in login(client, member).get(reverse("community:feed")).content.decode()
    assert queue in login(client, moderator).get(reverse("community:feed")).content.decode()


def test_the_manager_edits_groups_and_settings_in_wagtail_and_moderators_do_not(client, make_user):
    groups_url = reverse(InterestGroup.snippet_viewset.get_url_name("list"))
    login(client, make_user(roles.CLUB_MANAGER))
    assert client.get(groups_url).status_code == 200
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert groups_url in page
    login(client, make_user(roles.MODERATOR))
    assert client.get(groups_url).status_code in (302, 403)


# --- likes ------------------------------------------------------------------------------------


def test_like_and_unlike_work_without_javascript_and_come_back(member_client, author, status):
    page = reverse("community:status", args=[status.pk])
    response = member_client.post(
        reverse("community:like", args=["community.statusupdate", status.pk]), {"next": page}
    )
    assert (response.status_code, response["Location"]) == (302, page)
    assert Like.objects.count() == 1
    assert ledger.balances(author).points == 3

    member_client.post(
        reverse("community:unlike", args=["community.statusupdate", status.pk]), {"next": page}
    )
    assert Like.objects.count() == 0
    assert ledger.balances(author).points == 2


def test_like_needs_the_csrf_token(member, status):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(reverse("community:like", args=["community.statusupdate", status.pk]))
    assert response.status_code == 403
    assert not Like.objects.exists()


def test_like_goes_back_only_to_this_site(member_client, status):
    response = member_client.post(
        reverse("community:like", args=["community.statusupdate", status.pk]),
        {"next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("community:status", args=[status.pk])


def test_liking_ones_own_status_shows_why_not(client, author, status):
    login(client, author)
    response = client.post(
        reverse("community:like", args=["community.statusupdate", status.pk]), follow=True
    )
    assert "You cannot like your own post." in response.content.decode()
    assert not Like.objects.exists()


def test_unknown_kinds_and_missing_things_are_not_found(member_client, status):
    for label, pk in (("accounts.user", 1), ("community.statusupdate", 999), ("nope", 1)):
        assert member_client.post(reverse("community:like", args=[label, pk])).status_code == 404


def test_hidden_content_is_seen_only_by_its_author_and_moderators(
    client, author, member, moderator, status
):
    moderation.hide(content=status, moderator=moderator, reason="spam")
    url = reverse("community:status", args=[status.pk])
    assert login(client, member).get(url).status_code == 404
    assert (
        client.post(
            reverse("community:like", args=["community.statusupdate", status.pk])
        ).status_code
        == 404
    )
    own = login(client, author).get(url)
    assert own.status_code == 200 and "Hidden by the moderators" in own.content.decode()
    assert login(client, moderator).get(url).status_code == 200


# --- status updates, comments, flags ----------------------------------------------------------


def test_posting_a_status_update_from_the_feed(member_client, member):
    response = member_client.post(
        reverse("community:status-create"), {"body": "Hello everyone", "next": "/community/"}
    )
    assert (response.status_code, response["Location"]) == (302, "/community/")
    assert StatusUpdate.objects.get().author == member
    assert "Hello everyone" in member_client.get("/community/").content.decode()


def test_an_empty_or_long_status_shows_the_error_and_saves_nothing(member_client):
    empty = member_client.post(reverse("community:status-create"), {"body": ""})
    long = member_client.post(reverse("community:status-create"), {"body": "x" * 501})
    assert empty.status_code == long.status_code == 400
    assert "Write something or add a photo." in empty.content.decode()
    assert not StatusUpdate.objects.exists()


def test_a_bad_photo_is_refused_at_its_field(member_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("x.jpg", b"GIF89a not really", content_type="image/jpeg")
    response = member_client.post(
        reverse("community:status-create"), {"body": "look", "photo": upload}
    )
    assert response.status_code == 400
    assert "Only JPEG, PNG or WebP pictures can be uploaded." in response.content.decode()
    assert not StatusUpdate.objects.exists()


def test_commenting_on_a_status_update(member_client, status, member):
    response = member_client.post(
        reverse("community:comment-create", args=[status.pk]), {"body": "Great news"}
    )
    comment = Comment.objects.get()
    assert response["Location"] == f"/community/status/{status.pk}/#comment-{comment.pk}"
    assert member_client.get(reverse("community:comment", args=[comment.pk]))["Location"] == (
        f"/community/status/{status.pk}/#comment-{comment.pk}"
    )


def test_flagging_through_the_form(member_client, status, member):
    url = reverse("community:flag", args=["community.statusupdate", status.pk])
    response = member_client.post(url, {"reason": "spam", "note": "ads", "next": "/community/"})
    assert response.status_code == 302
    assert Flag.objects.get().member == member
    again = member_client.post(url, {"reason": "spam"})
    assert again.status_code == 400
    assert "You have already flagged this." in again.content.decode()


def test_flagging_without_a_reason_is_refused(member_client, status):
    url = reverse("community:flag", args=["community.statusupdate", status.pk])
    assert member_client.post(url, {"reason": ""}).status_code == 400
    assert not Flag.objects.exists()


# --- the suspended member: every action says until when ---------------------------------------


def test_a_suspended_member_is_told_until_when_on_each_action(client, suspended, status, author):
    login(client, suspended)
    expected = "You are suspended from taking part until"
    post = client.post(reverse("community:status-create"), {"body": "let me in"})
    assert post.status_code == 400 and expected in post.content.decode()
    comment = client.post(reverse("community:comment-create", args=[status.pk]), {"body": "hi"})
    assert comment.status_code == 400 and expected in comment.content.decode()
    like = client.post(
        reverse("community:like", args=["community.statusupdate", status.pk]), follow=True
    )
    assert expected in like.content.decode()
    flag = client.post(
        reverse("community:flag", args=["community.statusupdate", status.pk]), {"reason": "spam"}
    )
    assert flag.status_code == 400 and expected in flag.content.decode()
    assert "You are suspended from posting" in client.get("/community/").content.decode()
    assert (StatusUpdate.objects.count(), Comment.objects.count(), Like.objects.count()) == (
        1,
        0,
        0,
    )
    assert not Flag.objects.exists()


# --- brakes on the views ----------------------------------------------------------------------


def test_posting_too_soon_says_when_to_try_again(member_client, loose_brakes):
    loose_brakes.seconds_between_posts = 120
    loose_brakes.save()
    member_client.post(reverse("community:status-create"), {"body": "first"})
    response = member_client.post(reverse("community:status-create"), {"body": "second"})
    assert response.status_code == 400
    assert "You posted a moment ago. You can post again at" in response.content.decode()
    assert StatusUpdate.objects.count() == 1


def test_the_daily_like_limit_says_when_to_go_on(member_client, author, loose_brakes):
    loose_brakes.daily_likes = 1
    loose_brakes.save()
    first, second = (services.post_status(author=author, body=t) for t in ("one", "two"))
    member_client.post(reverse("community:like", args=["community.statusupdate", first.pk]))
    response = member_client.post(
        reverse("community:like", args=["community.statusupdate", second.pk]), follow=True
    )
    assert (
        "You have reached today&#x27;s limit (1). You can go on from" in response.content.decode()
    )
    assert Like.objects.count() == 1


# --- profiles, following, groups --------------------------------------------------------------


def test_profile_shows_name_tier_badges_bio_and_statuses(member_client, author, status):
    from gamification.models import Badge, MemberBadge

    MemberBadge.objects.create(member=author, badge=Badge.objects.get(slug="commenter"))
    profile = profile_for(author)
    profile.bio = "Engines and poetry"
    profile.save()
    page = member_client.get(reverse("community:member", args=["ada_l"])).content.decode()
    for text in ("Ada L.", "@ada_l", "Bronze", "Ten comments", "Engines and poetry", "Hello"):
        assert text in page


def test_follow_and_unfollow(member_client, member, author):
    member_client.post(reverse("community:follow", args=["ada_l"]))
    assert MemberFollow.objects.filter(follower=member, followed=author).exists()
    member_client.post(reverse("community:unfollow", args=["ada_l"]))
    assert not MemberFollow.objects.exists()


def test_following_oneself_is_refused_with_a_message(client, author):
    login(client, author)
    response = client.post(reverse("community:follow", args=["ada_l"]), follow=True)
    assert "You cannot follow yourself." in response.content.decode()
    assert not MemberFollow.objects.exists()


def test_editing_ones_profile(member_client, member):
    url = reverse("community:profile-edit")
    bad = member_client.post(url, {"handle": "admin", "bio": ""})
    assert bad.status_code == 400 and "This handle is reserved." in bad.content.decode()
    good = member_client.post(url, {"handle": "tea_time", "bio": "Green tea"})
    assert good["Location"] == reverse("community:member", args=["tea_time"])
    assert profile_for(member).handle == "tea_time"


def test_join_and_leave_a_group(member_client, member, group):
    member_client.post(reverse("community:group-join", args=[group.slug]))
    assert GroupMembership.objects.filter(member=member, group=group).exists()
    page = member_client.get(reverse("community:group", args=[group.slug])).content.decode()
    assert "Leave the group" in page and "Test U." in page
    member_client.post(reverse("community:group-leave", args=[group.slug]))
    assert not GroupMembership.objects.exists()


def test_closed_groups_are_not_found(member_client):
    InterestGroup.objects.create(name="Old", slug="old", is_active=False)
    assert member_client.get(reverse("community:group", args=["old"])).status_code == 404
    assert member_client.post(reverse("community:group-join", args=["old"])).status_code == 404


# --- the moderators' actions ------------------------------------------------------------------


def act(client, status, action, reason="spam"):
    return client.post(
        reverse("community:moderation-act", args=["community.statusupdate", status.pk]),
        {"action": action, "reason": reason},
    )


def test_moderator_hides_and_restores_from_the_queue(client, moderator, author, member, status):
    flags.flag(member=member, target=status, reason="spam")
    login(client, moderator)
    queue = client.get(reverse("community:moderation-queue")).content.decode()
    assert "Hello club" in queue and "Spam" in queue

    assert act(client, status, "hide")["Location"] == reverse("community:moderation-queue")
    status.refresh_from_db()
    assert status.is_hidden and ledger.balances(author).points == 0

    act(client, status, "restore", "fine")
    status.refresh_from_db()
    assert not status.is_hidden and ledger.balances(author).points == 2
    assert ModerationLog.objects.count() == 2


def test_an_action_without_a_reason_changes_nothing(client, moderator, status):
    login(client, moderator)
    response = act(client, status, "hide", reason="")
    assert response.status_code == 302
    status.refresh_from_db()
    assert not status.is_hidden and not ModerationLog.objects.exists()
    follow = client.get(response["Location"]).content.decode()
    assert "Choose an action and give a reason." in follow


def test_members_cannot_moderate(member_client, member, status, author):
    assert act(member_client, status, "hide").status_code == 403
    assert (
        member_client.post(
            reverse("community:moderation-suspend", args=[author.pk]),
            {"until": "2099-01-01", "reason": "x"},
        ).status_code
        == 403
    )
    status.refresh_from_db()
    assert not status.is_hidden and not Suspension.objects.exists()


def test_moderator_warns_suspends_and_lifts(client, moderator, author):
    login(client, moderator)
    base = [author.pk]
    client.post(reverse("community:moderation-warn", args=base), {"message": "Be nice"})
    until = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(
        reverse("community:moderation-suspend", args=base), {"until": until, "reason": "spam"}
    )
    assert response.status_code == 302
    assert moderation.is_suspended(author)
    page = client.get(reverse("community:moderation-member", args=base)).content.decode()
    assert "Suspended until" in page
    client.post(reverse("community:moderation-lift", args=base), {"reason": "ok"})
    assert not moderation.is_suspended(author)
    assert list(ModerationLog.objects.order_by("pk").values_list("action", flat=True)) == [
        "warn",
        "suspend",
        "unsuspend",
    ]


def test_suspending_with_a_past_date_is_refused(client, moderator, author):
    login(client, moderator)
    response = client.post(
        reverse("community:moderation-suspend", args=[author.pk]),
        {"until": "2000-01-01", "reason": "spam"},
    )
    assert response.status_code == 400
    assert "Choose today or a later date." in response.content.decode()
    assert not Suspension.objects.exists()


def test_the_log_filters_by_moderator_action_and_member(
    client, moderator, make_user, author, status
):
    other_mod = make_user(roles.MODERATOR)
    moderation.hide(content=status, moderator=moderator, reason="first reason")
    moderation.warn(member=author, moderator=other_mod, message="second reason")
    login(client, moderator)
    url = reverse("community:moderation-log")

    by_moderator = client.get(url, {"moderator": other_mod.pk}).content.decode()
    assert "second reason" in by_moderator and "first reason" not in by_moderator
    by_action = client.get(url, {"action": "hide"}).content.decode()
    assert "first reason" in by_action and "second reason" not in by_action
    by_member = client.get(url, {"member": "@ada_l"}).content.decode()
    assert "first reason" in by_member and "second reason" in by_member
    nobody = client.get(url, {"member": "nobody_here"}).content.decode()
    assert "first reason" not in nobody


def test_the_log_links_to_the_content(client, moderator, status):
    moderation.hide(content=status, moderator=moderator, reason="spam")
    login(client, moderator)
    go = reverse("community:moderation-go", args=["community.statusupdate", status.pk])
    assert go in client.get(reverse("community:moderation-log")).content.decode()
    assert client.get(go)["Location"] == reverse("community:status", args=[status.pk])
