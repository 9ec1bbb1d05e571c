"""Profiles (handles), the activity feed (who sees what, badge and tier lines), following
and interest groups."""

import pytest

from community import feed, profiles, services
from community.models import CommunityProfile, FeedItem, FeedVerb, GroupMembership, InterestGroup
from gamification import badges, tiers
from gamification.models import Badge, MemberBadge
from tests.gamification.conftest import give_points

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loose_brakes")]


# --- profiles --------------------------------------------------------------------------------


def test_a_profile_is_made_on_first_use_from_the_name(make_user):
    ada = make_user(first_name="Ada", last_name="Lovelace")
    twin = make_user(first_name="Ada", last_name="Lambert")
    assert profiles.profile_for(ada).handle == "ada_l"
    assert profiles.profile_for(twin).handle == "ada_l_2"
    assert profiles.profile_for(ada).handle == "ada_l"
    assert CommunityProfile.objects.count() == 2


def test_a_name_without_latin_letters_gets_a_member_handle(make_user):
    persian = make_user(first_name="مریم", last_name="میرزاخانی")
    assert profiles.profile_for(persian).handle == f"member_{persian.pk}"


def test_the_handle_never_comes_from_the_email(make_user):
    nameless = make_user(first_name="", last_name="", email="secret.person@example.com")
    assert "secret" not in profiles.profile_for(nameless).handle


@pytest.mark.parametrize(
    ("handle", "code"),
    [
        ("ab", "characters"),
        ("has space", "characters"),
        ("émile", "characters"),
        ("x" * 31, "characters"),
        ("admin", "reserved"),
        ("Moderator", "reserved"),
        ("former_12", "reserved"),
    ],
)
def test_handles_that_break_the_rules_are_refused(author, handle, code):
    before = profiles.profile_for(author).handle
    with pytest.raises(profiles.HandleRefused) as refusal:
        profiles.update_profile(member=author, handle=handle, bio="")
    assert refusal.value.code == code
    assert profiles.profile_for(author).handle == before


def test_a_taken_handle_is_refused_and_case_does_not_matter(author, make_user):
    other = make_user()
    profiles.update_profile(member=other, handle="Night_Owl", bio="")
    assert profiles.profile_for(other).handle == "night_owl"
    with pytest.raises(profiles.HandleRefused) as refusal:
        profiles.update_profile(member=author, handle="NIGHT_OWL", bio="")
    assert refusal.value.code == "taken"


def test_handle_and_bio_are_saved(author):
    saved = profiles.update_profile(member=author, handle="@countess", bio="  I like engines. ")
    assert (saved.handle, saved.bio) == ("countess", "I like engines.")


def test_badges_and_tier_take_two_queries_for_any_number(make_user, django_assert_num_queries):
    people = [make_user() for _ in range(5)]
    give_points(people[0], 1_000)
    tiers.evaluate(member=people[0])
    MemberBadge.objects.create(member=people[0], badge=Badge.objects.get(slug="commenter"))
    with django_assert_num_queries(2):
        status = profiles.badges_and_tier(people)
    assert status[people[0].pk][0].slug == "silver"
    assert [b.slug for b in status[people[0].pk][1]] == ["commenter"]
    assert status[people[1].pk] == (None, [])


# --- the feed --------------------------------------------------------------------------------


def test_the_feed_shows_followed_members_own_lines_and_the_clubs(author, member, make_user):
    stranger = make_user()
    profiles.profile_for(stranger)
    services.follow(follower=member, followed=author)
    followed = services.post_status(author=author, body="from someone I follow")
    mine = services.post_status(author=member, body="mine")
    services.post_status(author=stranger, body="from a stranger")
    club = feed.publish(verb=FeedVerb.ARTICLE, text="Spring catalogue", url="/news/spring/")

    shown = list(feed.for_member(member))

    assert [i.target for i in shown if i.actor] == [mine, followed]
    assert club in shown
    assert len(shown) == 3


def test_publish_is_idempotent_per_verb_and_target(author, status):
    again = feed.publish(verb=FeedVerb.STATUS, actor=author, target=status, text="other")
    assert FeedItem.objects.filter(verb=FeedVerb.STATUS).count() == 1
    assert again.text == "Hello club"


def test_unfollowing_takes_their_lines_out_of_the_feed(author, member, status):
    services.follow(follower=member, followed=author)
    assert list(feed.for_member(member))
    services.unfollow(follower=member, followed=author)
    assert not list(feed.for_member(member))


def test_following_oneself_is_refused(member):
    with pytest.raises(services.CommunityRefused):
        services.follow(follower=member, followed=member)


def test_following_twice_is_one_follow(author, member):
    assert services.follow(follower=member, followed=author)
    assert not services.follow(follower=member, followed=author)


def test_a_badge_earned_reaches_the_feed(member):
    badge = Badge.objects.create(slug="first-post", name="First post", rule="comments", threshold=0)
    badges.evaluate(member=member)
    item = FeedItem.objects.get(verb=FeedVerb.BADGE)
    assert (item.actor, item.text) == (member, badge.name)


def test_moving_up_a_tier_reaches_the_feed_but_the_first_tier_does_not(member):
    give_points(member, 10)
    tiers.evaluate(member=member)  # Bronze: where everyone starts
    assert not FeedItem.objects.filter(verb=FeedVerb.TIER).exists()
    give_points(member, 1_000)
    tiers.evaluate(member=member)
    assert FeedItem.objects.get(verb=FeedVerb.TIER).text == "Silver"


# --- groups ----------------------------------------------------------------------------------


def test_joining_and_leaving_a_group(member):
    group = InterestGroup.objects.create(name="Coffee", slug="coffee")
    assert services.join_group(member=member, group=group)
    assert not services.join_group(member=member, group=group)
    assert GroupMembership.objects.filter(group=group, member=member).count() == 1
    assert services.leave_group(member=member, group=group)
    assert not services.leave_group(member=member, group=group)


def test_a_closed_group_takes_no_members(member):
    group = InterestGroup.objects.create(name="Old", slug="old", is_active=False)
    with pytest.raises(services.CommunityRefused):
        services.join_group(member=member, group=group)


# --- sections other apps add to profile and group pages ------------------------------------------


def test_registered_sections_are_built_with_their_context_and_none_is_left_out(
    monkeypatch, member, author
):
    from community import sections

    monkeypatch.setattr(sections, "PROFILE_SECTIONS", [])
    sections.add_profile_section(
        template="x/posts.html", context=lambda *, member, viewer: {"of": member, "by": viewer}
    )
    sections.add_profile_section(template="x/nothing.html", context=lambda **kwargs: None)
    sections.add_profile_section(template="x/posts.html", context=lambda **kwargs: {})  # again

    built = sections.build(sections.PROFILE_SECTIONS, member=author, viewer=member)

    assert built == [{"template": "x/posts.html", "context": {"of": author, "by": member}}]
