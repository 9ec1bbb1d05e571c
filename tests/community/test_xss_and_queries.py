"""What members write cannot run in anyone's browser: XSS payloads posted as status updates
and comments come out of every page that shows them as harmless text. And the pages that
list things cost the same number of queries for 1 row as for 30."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community import feed, flags, likes, moderation, services
from community.models import FeedVerb, GroupMembership, InterestGroup
from community.profiles import profile_for
from portal.accounts import roles

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loose_brakes")]

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<<script>script>alert(1)<</script>/script>",
    '<iframe src="javascript:alert(1)"></iframe>',
    "<b onmouseover=alert(1)>bold</b>",
    '"><script>alert(1)</script>',
    "<a href='vbscript:msgbox(1)'>x</a>",
    "<p><a href='javas&#x09;cript:alert(1)'>x</a></p>",
    "`<script>alert(1)</script>`",
    "**<i onclick=alert(1)>nested</i>**",
]

SCRIPT = re.compile(r"<script(?![^>]*\bsrc=\"/static/)", re.I)
# Inside a real tag only: the same words shown as escaped text are harmless.
HANDLER = re.compile(r"<[a-z][^<>]*\son[a-z]+\s*=", re.I)
BAD_URL = re.compile(
    r"<[a-z][^<>]*\s(?:href|src|action)\s*=\s*[\"']?\s*(?:javascript|vbscript|data):", re.I
)
TAGS = re.compile(r"<(?:svg|math|style|iframe|img|object|embed)[\s>/]", re.I)
STYLE = re.compile(r"<[a-z][^<>]*\sstyle\s*=", re.I)


def main_of(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def assert_harmless(html: str) -> None:
    body = main_of(html)
    assert not SCRIPT.search(html), SCRIPT.search(html)
    for pattern in (HANDLER, BAD_URL, TAGS, STYLE):
        match = pattern.search(body)
        assert match is None, body[max(0, match.start() - 80) : match.end() + 80]


def test_no_payload_survives_into_any_page(client, author, make_user, moderator):
    reader = make_user()
    services.follow(follower=reader, followed=author)
    status = None
    for n, payload in enumerate(PAYLOADS):
        status = services.post_status(author=author, body=f"{payload} {n}")
        services.post_comment(author=reader, target=status, body=f"{payload} c{n}")
        flags.flag(member=reader, target=status, reason="other", note=payload[:300])
    client.force_login(reader)
    pages = [
        reverse("community:feed"),
        reverse("community:member", args=[profile_for(author).handle]),
        reverse("community:status", args=[status.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200
        assert_harmless(response.content.decode())
    client.force_login(moderator)
    queue = client.get(reverse("community:moderation-queue"))
    assert_harmless(queue.content.decode())
    assert "&lt;script&gt;" in queue.content.decode()  # shown as text for the moderator


def test_the_bio_and_the_handle_are_text_too(client, member, author):
    profile = profile_for(author)
    profile.bio = "<script>alert(1)</script><img src=x onerror=alert(1)>"
    profile.save()
    client.force_login(member)
    assert_harmless(client.get(reverse("community:member", args=[profile.handle])).content.decode())


# --- constant query counts ------------------------------------------------------------------------


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def assert_constant(client, url, grow) -> None:
    """The page's query count with one row equals the count with thirty."""
    grow(1)
    few = queries_for(client, url)
    grow(29)
    many = queries_for(client, url)
    assert few == many, f"{url}: {few} queries for 1 row, {many} for 30"


def people(make_user, n):
    made = []
    for _ in range(n):
        person = make_user()
        profile_for(person)
        made.append(person)
    return made


def test_the_feed_costs_the_same_for_1_and_30_items(client, member, make_user):
    client.force_login(member)

    def grow(n):
        for person in people(make_user, n):
            services.follow(follower=member, followed=person)
            services.post_status(author=person, body=f"news from {person.pk}")
        feed.publish(verb=FeedVerb.ARTICLE, text="Club news", url="/news/")

    assert_constant(client, reverse("community:feed"), grow)


def test_a_status_page_costs_the_same_for_1_and_30_comments(client, member, status, make_user):
    client.force_login(member)

    def grow(n):
        for person in people(make_user, n):
            comment = services.post_comment(author=person, target=status, body=f"hi {person.pk}")
            likes.like(member=member, target=comment)

    assert_constant(client, reverse("community:status", args=[status.pk]), grow)


def test_a_profile_costs_the_same_for_1_and_30_status_updates(client, member, author):
    client.force_login(member)
    counter = iter(range(1000))

    def grow(n):
        for _ in range(n):
            status = services.post_status(author=author, body=f"update {next(counter)}")
            likes.like(member=member, target=status)

    assert_constant(client, reverse("community:member", args=["ada_l"]), grow)


def test_the_flag_queue_costs_the_same_for_1_and_30_flagged_things(
    client, moderator, make_user, author
):
    client.force_login(moderator)
    counter = iter(range(1000))

    def grow(n):
        for person in people(make_user, n):
            status = services.post_status(author=author, body=f"flag me {next(counter)}")
            flags.flag(member=person, target=status, reason="spam", note="ads")

    assert_constant(client, reverse("community:moderation-queue"), grow)


def test_the_moderation_log_costs_the_same_for_1_and_30_entries(client, moderator, make_user):
    client.force_login(moderator)

    def grow(n):
        for person in people(make_user, n):
            status = services.post_status(author=person, body=f"log {person.pk}")
            moderation.hide(content=status, moderator=moderator, reason="spam")

    assert_constant(client, reverse("community:moderation-log"), grow)


def test_a_group_page_and_the_group_list_cost_the_same_for_1_and_30(client, member, make_user):
    client.force_login(member)
    group = InterestGroup.objects.create(name="Coffee", slug="coffee")
    counter = iter(range(1000))

    def grow_members(n):
        for person in people(make_user, n):
            GroupMembership.objects.create(group=group, member=person)

    def grow_groups(n):
        for _ in range(n):
            i = next(counter)
            InterestGroup.objects.create(name=f"Group {i}", slug=f"group-{i}")

    assert_constant(client, reverse("community:group", args=["coffee"]), grow_members)
    assert_constant(client, reverse("community:groups"), grow_groups)


def test_the_moderator_member_page_is_constant_too(client, moderator, author, make_user):
    client.force_login(moderator)

    def grow(n):
        for _ in range(n):
            moderation.warn(member=author, moderator=moderator, message="again")

    assert_constant(client, reverse("community:moderation-member", args=[author.pk]), grow)


def test_roles_used_here_exist(make_user):
    assert make_user(roles.MODERATOR).has_perm("accounts.moderate_community")
