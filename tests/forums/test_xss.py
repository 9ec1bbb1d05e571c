"""Hostile text posted through the forums never reaches a page as markup: script tags,
event-handler attributes, javascript: and data: URLs, SVG and MathML, style injection and
malformed nesting, in posts, replies, edits, titles, tags and polls. Each page's <main> is
parsed and every element and attribute checked against what the portal itself writes."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from community.forums import services

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<<script>script>alert(1)<</script>/script>",
    '<img src=x onerror="alert(1)">',
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    '<a href="&#x6A;avascript:alert(1)">click</a>',
    "[click](  javascript:alert(1) )",
    "<javascript:alert(1)>",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="data:text/html,<script>alert(1)</script>">data</a>',
    "![pic](javascript:alert(1))",
    "![pic](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<svg onload=alert(1)><circle r=10 /></svg>",
    "<svg><script>alert(1)</script></svg>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<style>body { display: none }</style>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div style="position:fixed;inset:0">cover</div>',
    '<iframe src="https://evil.example"></iframe>',
    '<object data="data:text/html,x"></object><embed src="x.swf">',
    '<form action="https://evil.example"><input name="password"></form>',
    "<div><p>unclosed <b><i>nest</div></b>",
    "<p <script>alert(1)</script>>broken</p>",
    '<a href="https://ok.example" onclick="alert(1)" style="color:red">ok</a>',
    "**bold <img src=x onerror=alert(1)>**",
    "> quote <script>alert(1)</script>",
    "`<script>alert(1)</script>` and\n\n```\n<img src=x onerror=alert(1)>\n```",
    "<!-- <script>alert(1)</script> -->",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
]
SOURCE = "\n\n".join(PAYLOADS)

# Every element the portal's own templates put in <main>, and what bleach lets through.
ALLOWED_TAGS = {
    "a", "article", "bdi", "blockquote", "br", "button", "code", "del", "div", "dd", "dl",
    "dt", "em", "fieldset", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "input", "label", "legend", "li", "nav", "ol", "p", "pre", "progress", "s",
    "section", "span", "strong", "textarea", "time", "ul",
}  # fmt: skip
SAFE_URL_STARTS = ("/", "#", "?", "https://", "http://", "mailto:")


class Inspector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inside = 0
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.inside += 1
            return
        if not self.inside:
            return
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"element <{tag}>")
        for name, value in attrs:
            value = (value or "").strip()
            if name.startswith("on") or name in {"style", "srcdoc", "formaction", "xlink:href"}:
                self.problems.append(f"attribute {name} on <{tag}>")
            if name in {"href", "src", "action", "data"} and value:
                lowered = "".join(value.split()).lower()
                if not lowered.startswith(SAFE_URL_STARTS):
                    self.problems.append(f"{name}={value!r} on <{tag}>")
            if tag == "a" and name == "href" and value.startswith("http"):
                rel = dict(attrs).get("rel", "")
                if "nofollow" not in rel or "ugc" not in rel or "noopener" not in rel:
                    self.problems.append(f"outside link without rel: {value}")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "main":
            self.inside -= 1


def problems(html: str) -> list[str]:
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.problems


def test_the_inspector_catches_what_it_should():
    page = '<main><p onclick="x">a</p><script>1</script><a href="javascript:x">b</a></main>'
    assert len(problems(page)) == 3


@pytest.fixture
def hostile_topic(author, category, reader):
    topic = services.start_topic(
        author=author,
        category=category,
        title='<script>alert("title")</script><img src=x onerror=alert(1)>',
        body=SOURCE,
        tags=["<svg onload=alert(1)>", 'x" onmouseover="alert(1)'],
        poll=services.PollSpec(
            question="<script>alert('q')</script>",
            choices=['<img src=x onerror=alert("a")>', "<b onclick=alert(1)>B</b>"],
        ),
    )
    services.reply(author=reader, topic=topic, body=SOURCE + "\n\nreply", quote_of=topic.first_post)
    return topic


def test_no_payload_survives_into_the_topic_page(client, reader, hostile_topic):
    client.force_login(reader)
    response = client.get(reverse("forums:topic", args=[hostile_topic.pk]))
    html = response.content.decode()
    assert problems(html) == []
    lowered = html.lower()
    main = lowered[lowered.index("<main") : lowered.index("</main>")]
    for needle in ("<script", "<svg", "<math", "<style", "<iframe", "<img", "<object", "<embed"):
        assert needle not in main, needle
    # The text is still there to read, as text.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in main or "alert(1)" in main


def test_no_payload_survives_an_edit_or_into_the_history(client, author, hostile_topic):
    post = hostile_topic.first_post
    services.edit_post(post=post, editor=author, body=SOURCE + "\n\nedited")
    client.force_login(author)
    for url in [
        reverse("forums:topic", args=[hostile_topic.pk]),
        reverse("forums:post-history", args=[post.pk]),
        reverse("forums:post-edit", args=[post.pk]),
        reverse("forums:topic-reply", args=[hostile_topic.pk]) + f"?quote={post.pk}",
    ]:
        html = client.get(url).content.decode()
        assert problems(html) == [], url


def test_no_payload_survives_into_lists_and_search(client, reader, hostile_topic, category):
    client.force_login(reader)
    tag = hostile_topic.tags.first()
    for url in [
        reverse("forums:index"),
        reverse("forums:category", args=[category.slug]),
        reverse("forums:tag", args=[tag.slug]),
        reverse("forums:search") + "?q=alert",
        reverse("forums:search") + "?q=<script>alert(1)</script>",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert problems(response.content.decode()) == [], url


def test_moderators_see_hidden_posts_sanitized_too(client, moderator, hostile_topic):
    reply = hostile_topic.posts.exclude(pk=hostile_topic.first_post_id).get()
    services.hide_post(post=reply, moderator=moderator, reason="xss attempt")
    client.force_login(moderator)
    for url in [
        reverse("forums:topic", args=[hostile_topic.pk]),
        reverse("forums:post-hide", args=[reply.pk]),
    ]:
        assert problems(client.get(url).content.decode()) == [], url


def test_links_keep_only_safe_schemes_and_get_rel(author, category):
    topic = services.start_topic(
        author=author,
        category=category,
        title="Links",
        body="[ok](https://ok.example) and https://bare.example.com and [mail](mailto:a@b.example)",
    )
    html = topic.first_post.body_html
    assert html.count('rel="nofollow ugc noopener"') == 3
    assert problems(f"<main>{html}</main>") == []
