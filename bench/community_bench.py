"""Forums benchmark on PostgreSQL: the pages members read once the forums hold two years
of talk, 10,000 topics with 1,000,000 posts. Prints its figures; not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/club REDIS_URL=redis://127.0.0.1:6379/13 \
        .venv/bin/python bench/community_bench.py
    ... bench/community_bench.py --scale small            # 200 topics, 10,000 posts
    ... bench/community_bench.py --topics 2000 --posts 200000 --explain

It never touches the database named in DATABASE_URL: it drops and creates its own
(`--db`, default club_community_bench) on the same server, migrates it, loads members with
community profiles and tiers, 12 categories (one for Gold members and above, one for an
interest group's members), topics with tags and posts whose Markdown bodies were rendered
by community.text.render (once per distinct body: a pool of a few hundred, reused), with
COPY, then times the real views through django.test.Client as a logged-in member: the
forum index, a category page (first and a deep page) and topic pages (first and last page
of a topic with 50+ posts, last page of the biggest topic). See bench/README.md."""

import argparse
import itertools
import math
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    STARTED,
    Step,
    bulk_session,
    check_columns,
    configure_django,
    copy_rows,
    create_indexes,
    drop_plain_indexes,
    percentile,
    prepare_database,
    print_table,
    progress,
)

FULL = {"topics": 10_000, "posts": 1_000_000, "members": 2_000}
SMALL = {"topics": 200, "posts": 10_000, "members": 500}
DAYS = 730  # topics are started over the last two years
BODY_POOL = 400  # distinct reply bodies rendered once each (openings: a quarter of that more)
FIRST_NAMES = ["Ada", "Babak", "Cyrus", "Dara", "Elham", "Farid", "Golnar", "Hamid", "Mina"]
# slug, name, kind, position, lowest tier slug, interest group slug, weight (share of topics)
CATEGORIES = [
    ("products", "Our products", "product", 10, None, None, 26),
    ("mahsoolat", "محصولات ما", "product", 20, None, None, 14),
    ("fresh-food", "Fresh food", "product", 30, None, None, 9),
    ("household", "Household", "product", 40, None, None, 7),
    ("wishlist", "Wish list", "product", 50, None, None, 5),
    ("how-to", "Tips and how-tos", "education", 10, None, None, 12),
    ("amoozesh", "آموزش و ترفند", "education", 20, None, None, 8),
    ("recipes", "Recipes", "education", 30, None, None, 6),
    ("card-and-app", "The card and the app", "education", 40, None, None, 5),
    ("gold-lounge", "Gold lounge", "group", 10, "gold", None, 3),
    ("cyclists", "Cyclists", "group", 20, None, "bench-cyclists", 3),
    ("parents", "Parents", "group", 30, None, None, 2),
]  # fmt: skip
TIER_MIX = {"bronze": 40, "silver": 30, "gold": 20, "vip": 10, None: 40}
TAGS = [
    "points", "rewards", "coffee", "delivery", "app", "card", "recipes", "discounts",
    "fruit", "bread", "dairy", "cleaning", "kids", "bikes", "events", "feedback",
    "امتیاز", "تخفیف", "خرید", "شعبه", "آشپزی", "vegan", "tea", "parking", "gift",
]  # fmt: skip
TITLE_STARTS = [
    "Which", "Best", "Has anyone tried", "Question about", "Review:", "Wish:", "Tip:",
    "Problem with", "Thoughts on", "How do you use", "بهترین", "سوال درباره", "پیشنهاد:",
]  # fmt: skip
TITLE_THINGS = [
    "the new coffee beans", "points for online orders", "the weekend market",
    "organic vegetables", "the loyalty card app", "gift vouchers", "the bakery counter",
    "cashback on groceries", "bike parking at the branch", "the kids' corner",
    "seasonal fruit", "eco-friendly detergents", "the monthly survey", "Gold benefits",
    "نان تازه", "میوه‌ی فصل", "کارت دیجیتال", "امتیاز خرید", "شعبه‌ی مرکزی",
]  # fmt: skip
SENTENCES = [
    "I tried it last week and I was pleasantly surprised.",
    "The price went up again, but the quality is still the best in town.",
    "Does anyone know if the branch in the north carries it?",
    "My kids love it, we buy two packs every weekend.",
    "Honestly it was not worth the points, I would rather take the cashback.",
    "The staff at the counter were very helpful and explained everything.",
    "You can scan the card in the app before paying, it saves a lot of time.",
    "It arrived a day late but the packaging was fine.",
    "I keep the receipts in a folder, the app history is not always complete.",
    "Half of the shelf was empty on Friday evening.",
    "این محصول را هفته‌ی پیش خریدم و واقعاً راضی بودم.",
    "قیمت کمی بالاست ولی کیفیتش ارزش دارد.",
    "کسی می‌داند شعبه‌ی غرب هم این را دارد؟",
    "امتیازها دیر به حسابم آمد ولی بالاخره آمد.",
]
EXTRAS = [
    "**Update:** it works now.",
    "See the [club rules](https://club.example/rules) for the details.",
    "- cheaper on Tuesdays\n- ask for the loyalty price\n- keep the receipt",
    "1. open the app\n2. tap *Card*\n3. show the code at the till",
    "> I had the same problem last month.",
    "`PROMO-2025` still works for me.",
    "More at https://club.example/offers and in the weekly flyer.",
    "~~Sold out~~ back in stock!",
    "### Summary\n\nGood value, would buy again.",
]


def main() -> int:
    args = parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print(
            f"Refusing to run on SQLite ({args.posts:,} posts): the loader uses PostgreSQL's "
            "COPY and SQLite figures say nothing about production. Set "
            "DATABASE_URL=postgres://USER@HOST:PORT/DB (the database named there is left "
            "alone; the bench creates its own).",
            file=sys.stderr,
        )
        return 2
    bench_url = prepare_database(url, args.db)
    configure_django(bench_url, name=args.db)
    step = Step(f"migrating {args.db}")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    step.done()
    rng = random.Random(args.seed)
    loaded = load(args, rng)
    figures, plans = measure(args, loaded)
    print_figures(args, loaded, figures, plans)
    progress(f"done; the data stays in database {args.db!r} (drop it with: dropdb {args.db})")
    return 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=["full", "small"], default="full")
    parser.add_argument("--topics", type=int, help=f"default {FULL['topics']:,} (small: 200)")
    parser.add_argument("--posts", type=int, help=f"default {FULL['posts']:,} (small: 10,000)")
    parser.add_argument("--members", type=int, help=f"default {FULL['members']:,} (small: 500)")
    parser.add_argument(
        "--runs", type=int, default=20, help="timed requests per page after a warm-up (20)"
    )
    parser.add_argument("--db", default="club_community_bench", help="database to (re)create")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--explain", action="store_true", help="print EXPLAIN ANALYZE of each page's list query"
    )
    parser.add_argument(
        "--queries", action="store_true", help="print each page's SQL statements (warm-up)"
    )
    args = parser.parse_args()
    size = SMALL if args.scale == "small" else FULL
    for name in ("topics", "posts", "members"):
        if getattr(args, name) is None:
            setattr(args, name, size[name])
    if args.topics < 20 or args.posts < 3 * args.topics or args.members < 50 or args.runs < 2:
        parser.error("need at least 20 topics, 3 posts a topic, 50 members and 2 runs")
    return args


# --- the database -----------------------------------------------------------------------


# --- generating -------------------------------------------------------------------------


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _markdown(rng: random.Random, handles: list[str], *, opening: bool) -> str:
    """A plausible post: one to four paragraphs of sentences, now and then a list, a link,
    a quote, code or an @mention; openings are longer."""
    paragraphs = []
    for _ in range(rng.randint(2, 4) if opening else rng.choice([1, 1, 1, 2, 2, 3])):
        words = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(1, 3)))
        if rng.random() < 0.12:
            words = f"@{rng.choice(handles)} {words}"
        paragraphs.append(words)
    if rng.random() < (0.6 if opening else 0.3):
        paragraphs.insert(rng.randrange(len(paragraphs) + 1), rng.choice(EXTRAS))
    return "\n\n".join(paragraphs)


def render_pool(rng: random.Random, handles: list[str]):
    """(reply bodies, opening bodies): (markdown, html) pairs, each rendered once."""
    from community.text import render

    replies = [_markdown(rng, handles, opening=False) for _ in range(BODY_POOL)]
    openings = [_markdown(rng, handles, opening=True) for _ in range(BODY_POOL // 4)]
    return [(md, render(md)) for md in replies], [(md, render(md)) for md in openings]


def post_counts(rng: random.Random, topics: int, posts: int) -> list[int]:
    """Posts per topic, at least 1 each, summing to `posts`: log-normal, so most topics
    are short and a few run to thousands of posts."""
    weights = [rng.lognormvariate(0, 1.2) for _ in range(topics)]
    spare = posts - topics
    total = sum(weights)
    counts = [1 + int(spare * w / total) for w in weights]
    for i in rng.sample(range(topics), posts - sum(counts)):
        counts[i] += 1
    return counts


class Forum:
    """The generated forum, as rows for COPY. Topic ids follow their start, post ids follow
    time across the whole forum (as a live forum's would), so a long topic's posts are
    spread over the table like in production, not stored together."""

    def __init__(self, args, rng: random.Random, now: datetime, ids: dict):
        self.args, self.rng, self.now = args, rng, now
        self.members = ids["members"]
        self.categories = ids["categories"]  # [(id, weight)]
        self.tags = ids["tags"]
        # A few prolific members: author n drawn with density ~1/sqrt(n).
        self.author_cum_weights = list(
            itertools.accumulate(1 / math.sqrt(n + 1) for n in range(len(self.members)))
        )

    def _authors(self, k: int) -> list[int]:
        return self.rng.choices(self.members, cum_weights=self.author_cum_weights, k=k)

    def generate(self) -> None:
        """Topics (with post_count, last_post_at and first_post_id from their posts), their
        tags, and the forum's timeline of posts (time, topic, place in the topic)."""
        rng, now, args = self.rng, self.now, self.args
        counts = post_counts(rng, args.topics, args.posts)
        start = now.timestamp() - DAYS * 86400
        started = sorted(start + rng.random() * DAYS * 86400 for _ in range(args.topics))
        category_ids = [c for c, _ in self.categories]
        category_weights = [w for _, w in self.categories]
        topic_category = rng.choices(category_ids, weights=category_weights, k=args.topics)
        topic_author = self._authors(args.topics)
        # (time, topic index, seq in topic)
        timeline: list[tuple[float, int, int]] = []
        last_post = []
        end = now.timestamp() - 60
        for t, (count, at) in enumerate(zip(counts, started, strict=True)):
            # A topic is talked about for a while after it starts: longer the busier it is.
            span = min(end - at, rng.expovariate(1 / (20 * 86400)) * (1 + count / 50) + 600)
            times = sorted(at + rng.random() * span for _ in range(count - 1))
            timeline.append((at, t, 0))
            timeline.extend((x, t, seq) for seq, x in enumerate(times, start=1))
            last_post.append(times[-1] if times else at)
        timeline.sort()
        ids_by_topic: list[list[int]] = [[] for _ in range(args.topics)]
        for pid, (_at, t, _seq) in enumerate(timeline, start=1):
            ids_by_topic[t].append(pid)  # in seq order: a topic's times are ascending
        self.counts, self.ids_by_topic = counts, ids_by_topic

        topics = []
        pinned = set()
        for cid in category_ids:  # the oldest topic or two of each category is pinned
            own = [t for t in range(args.topics) if topic_category[t] == cid]
            pinned.update(own[: rng.choice([1, 2])])
        hidden_openings = set()
        for t in range(args.topics):
            is_hidden = rng.random() < 0.004
            if rng.random() < 0.003:
                hidden_openings.add(t)
            title = f"{rng.choice(TITLE_STARTS)} {rng.choice(TITLE_THINGS)}"
            if rng.random() < 0.3:
                title += f" ({rng.randint(2, 99)})"
            topics.append(
                (
                    t + 1, topic_category[t], topic_author[t], title,
                    _ts(started[t]), _ts(last_post[t]), rng.random() < 0.02, t in pinned,
                    is_hidden, counts[t], ids_by_topic[t][0],
                )
            )  # fmt: skip
        tagged = []
        for t in range(args.topics):
            if rng.random() < 0.6:
                for tag in rng.sample(self.tags, rng.choice([1, 1, 2, 3])):
                    tagged.append((t + 1, tag))
        self.topics, self.tagged = topics, tagged
        self.hidden_openings = hidden_openings
        self.timeline = timeline
        self.topic_author = topic_author

    def post_rows(self, replies, openings):
        """The posts, generated as COPY consumes them."""
        rng = self.rng
        reply_authors = self._authors(len(self.timeline))
        for pid, (at, t, seq) in enumerate(self.timeline, start=1):
            created = _ts(at)
            opening = seq == 0
            body, html = rng.choice(openings if opening else replies)
            author = self.topic_author[t] if opening else reply_authors[pid - 1]
            quote = None
            if seq and rng.random() < 0.05:
                quote = self.ids_by_topic[t][rng.randrange(max(0, seq - 10), seq)]
            edited = edited_by = None
            if rng.random() < 0.03:
                edited, edited_by = _ts(at + rng.uniform(60, 3 * 3600)), author
            hidden = t in self.hidden_openings if opening else rng.random() < 0.004
            likes = int(rng.paretovariate(1.5)) - 1 if rng.random() < 0.4 else 0
            yield (
                pid, author, body, html, created, edited, hidden,
                created + timedelta(hours=2) if hidden else None,
                "flags" if hidden else "", min(likes, 500), 0, t + 1, opening, quote,
                edited_by, "",
            )  # fmt: skip


def _ts(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


# --- loading ----------------------------------------------------------------------------

TOPIC_COLUMNS = (
    "id", "category_id", "author_id", "title", "created_at", "last_post_at", "is_locked",
    "is_pinned", "is_hidden", "post_count", "first_post_id",
)  # fmt: skip
POST_COLUMNS = (
    "id", "author_id", "body", "body_html", "created_at", "edited_at", "is_hidden",
    "hidden_at", "hidden_reason", "like_count", "flag_weight", "topic_id", "is_opening",
    "quote_of_id", "edited_by_id", "edit_note",
)  # fmt: skip
LOADED_COLUMNS = {
    "accounts_user": {"password", "last_login", "is_superuser", "email", "mobile",
                      "mobile_verified", "is_active", "is_staff", "date_joined"},
    "accounts_memberprofile": {"user_id", "first_name", "last_name", "birth_date", "address",
                               "city", "preferred_language", "home_branch_id", "sms_consent",
                               "sms_consent_at", "email_consent", "email_consent_at",
                               "referral_code", "signup_referral_code"},
    "community_communityprofile": {"member_id", "handle", "bio"},
    "community_interestgroup": {"name", "slug", "description", "is_active", "created_at"},
    "community_groupmembership": {"group_id", "member_id", "joined_at"},
    "gamification_membertier": {"member_id", "tier_id", "since"},
    "gamification_memberbadge": {"member_id", "badge_id", "granted_at"},
    "forums_forumcategory": {"name", "slug", "description", "kind", "position", "min_tier_id",
                             "group_id", "is_active", "created_at"},
    "taggit_tag": {"name", "slug"},
    "forums_taggedtopic": {"content_object_id", "tag_id"},
    "forums_topic": set(TOPIC_COLUMNS),
    "forums_post": set(POST_COLUMNS),
}  # fmt: skip
BIG_TABLES = ("forums_topic", "forums_post")


def load(args, rng: random.Random) -> dict:
    from django.db import connection
    from django.utils import timezone

    started = time.perf_counter()
    with connection.cursor() as cur:
        bulk_session(cur, maintenance_work_mem="512MB")
        check_columns(cur, LOADED_COLUMNS)
        step = Step(f"people: {args.members:,} members with profiles, community handles, tiers")
        _people(cur, args, rng)
        step.done()

        step = Step(f"{len(CATEGORIES)} categories, an interest group, {len(TAGS)} tags")
        ids = _categories(cur)
        cur.execute("SELECT handle FROM community_communityprofile ORDER BY id")
        handles = [row[0] for row in cur.fetchall()]
        cur.execute(
            "SELECT id FROM accounts_user WHERE email LIKE 'member%@bench.example' ORDER BY id"
        )
        ids["members"] = [row[0] for row in cur.fetchall()]
        step.done()

        step = Step(f"rendering {BODY_POOL + BODY_POOL // 4} Markdown bodies (community.text)")
        bodies = render_pool(rng, handles)
        step.done()

        step = Step(f"generating {args.topics:,} topics and {args.posts:,} post times (Python)")
        forum = Forum(args, rng, timezone.now(), ids)
        forum.generate()
        step.done()

        step = Step(f"COPY {args.topics:,} topics, {args.posts:,} posts (indexes rebuilt after)")
        deferred = []
        for table in BIG_TABLES:
            deferred += drop_plain_indexes(cur, table)
        copy_rows(cur, "forums_topic", TOPIC_COLUMNS, forum.topics)
        copy_rows(cur, "forums_post", POST_COLUMNS, forum.post_rows(*bodies))
        copy_rows(cur, "forums_taggedtopic", ("content_object_id", "tag_id"), forum.tagged)
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('forums_topic', 'id'), "
            "(SELECT max(id) FROM forums_topic))"
        )
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('forums_post', 'id'), "
            "(SELECT max(id) FROM forums_post))"
        )
        copied = step.done()
        step = Step(f"rebuilding {len(deferred)} indexes (the post text's GIN index too)")
        create_indexes(cur, deferred)
        cur.execute("SET session_replication_role = DEFAULT")
        indexed = step.done()

        step = Step("VACUUM ANALYZE")
        for table in (*BIG_TABLES, "forums_taggedtopic", "accounts_user", "gamification_membertier",
                      "community_communityprofile", "accounts_memberprofile"):  # fmt: skip
            cur.execute(f"VACUUM ANALYZE {table}")
        step.done()
        _check_consistent(cur)
        cur.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database())), "
            "pg_size_pretty(pg_total_relation_size('forums_post'))"
        )
        size, posts_size = cur.fetchone()
    load_seconds = time.perf_counter() - started
    progress(f"loaded in {load_seconds:.0f}s; database {size} (forums_post {posts_size})")
    counts = forum.counts
    return {
        "load_seconds": load_seconds,
        "copy_seconds": copied,
        "index_seconds": indexed,
        "size": size,
        "posts_size": posts_size,
        "largest": 1 + max(range(len(counts)), key=counts.__getitem__),
        "counts": counts,
        "hidden": forum.hidden_openings,
        "topic_flags": {row[0]: (row[8], row[6]) for row in forum.topics},
    }


def _people(cur, args, rng: random.Random) -> None:
    cur.execute(
        """
        INSERT INTO accounts_user (password, last_login, is_superuser, email, mobile,
                                   mobile_verified, is_active, is_staff, date_joined)
        SELECT '!bench', NULL, false, 'member' || n || '@bench.example', NULL, false, true,
               false, now() - interval '3 years'
        FROM generate_series(1, %(members)s) n ORDER BY n
        """,
        {"members": args.members},
    )
    cur.execute(
        """
        INSERT INTO accounts_memberprofile (user_id, first_name, last_name, birth_date,
            address, city, preferred_language, home_branch_id, sms_consent, sms_consent_at,
            email_consent, email_consent_at, referral_code, signup_referral_code)
        SELECT u.id, (%(names)s::text[])[1 + u.id %% %(name_count)s], 'Bench' || u.id, NULL,
               '', 'Tehran', 'en', NULL, false, NULL, false, NULL, 'BC' || u.id, ''
        FROM accounts_user u WHERE u.email LIKE '%%@bench.example' ORDER BY u.id
        """,
        {"names": FIRST_NAMES, "name_count": len(FIRST_NAMES)},
    )
    # Nine members in ten have a community handle (the rest never opened the community).
    cur.execute(
        """
        INSERT INTO community_communityprofile (member_id, handle, bio)
        SELECT u.id, 'bench_' || u.id, '' FROM accounts_user u
        WHERE u.email LIKE 'member%@bench.example' AND (u.id % 10 <> 7 OR u.email =
              'member1@bench.example')
        ORDER BY u.id
        """
    )
    cur.execute("SELECT slug, id FROM gamification_tier")
    tiers = dict(cur.fetchall())
    cur.execute("SELECT id FROM accounts_user WHERE email LIKE 'member%@bench.example'")
    members = [row[0] for row in cur.fetchall()]
    placed = []
    for member in members:
        slug = _pick(rng, TIER_MIX)
        if member == min(members):
            slug = "gold"  # the member who reads: sees the Gold lounge
        if slug:
            placed.append((member, tiers[slug]))
    cur.execute(
        "INSERT INTO gamification_membertier (member_id, tier_id, since) "
        "SELECT m, t, now() - interval '30 days' "
        "FROM unnest(%s::bigint[], %s::bigint[]) AS x(m, t)",
        [[m for m, _ in placed], [t for _, t in placed]],
    )
    cur.execute("SELECT id FROM gamification_badge ORDER BY id")
    badges = [row[0] for row in cur.fetchall()]
    held = {(m, b) for m in members for b in badges if rng.random() < 0.15}
    cur.execute(
        "INSERT INTO gamification_memberbadge (member_id, badge_id, granted_at) "
        "SELECT m, b, now() - (random() * interval '600 days') "
        "FROM unnest(%s::bigint[], %s::bigint[]) AS x(m, b)",
        [[m for m, _ in held], [b for _, b in held]],
    )


def _categories(cur) -> dict:
    cur.execute(
        "INSERT INTO community_interestgroup (name, slug, description, is_active, created_at) "
        "VALUES ('Cyclists', 'bench-cyclists', 'Riding to the shops.', true, now()) RETURNING id"
    )
    group = cur.fetchone()[0]
    # Every fourth member rides, and the member who reads.
    cur.execute(
        "INSERT INTO community_groupmembership (group_id, member_id, joined_at) "
        "SELECT %s, id, now() FROM accounts_user WHERE email LIKE 'member%%@bench.example' "
        "AND (id %% 4 = 0 OR email = 'member1@bench.example')",
        [group],
    )
    cur.execute("SELECT slug, id FROM gamification_tier")
    tiers = dict(cur.fetchall())
    categories = []
    for slug, name, kind, position, tier, group_slug, weight in CATEGORIES:
        cur.execute(
            "INSERT INTO forums_forumcategory (name, slug, description, kind, position, "
            "min_tier_id, group_id, is_active, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, true, now() - interval '3 years') RETURNING id",
            [name, slug, f"All about {name.lower()}.", kind, position, tiers.get(tier),
             group if group_slug else None],
        )  # fmt: skip
        categories.append((cur.fetchone()[0], weight))
    cur.execute(
        "INSERT INTO taggit_tag (name, slug) SELECT t, 'bench-' || n "
        "FROM unnest(%s::text[]) WITH ORDINALITY AS x(t, n) RETURNING id",
        [TAGS],
    )
    tags = [row[0] for row in cur.fetchall()]
    return {"categories": categories, "tags": tags}


def _check_consistent(cur) -> None:
    """post_count and last_post_at of every topic against its posts, one opening post each."""
    cur.execute(
        """
        SELECT count(*) FROM forums_topic t JOIN (
            SELECT topic_id, count(*) n, max(created_at) last,
                   min(id) FILTER (WHERE is_opening) opening
            FROM forums_post GROUP BY topic_id) p ON p.topic_id = t.id
        WHERE p.n <> t.post_count OR p.last <> t.last_post_at OR p.opening <> t.first_post_id
        """
    )
    wrong = cur.fetchone()[0]
    if wrong:
        raise SystemExit(f"{wrong} topics disagree with their posts: a loader bug")
    progress("checked: every topic's post_count, last_post_at and first post match its posts")


# --- measuring --------------------------------------------------------------------------


def measure(args, loaded: dict):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from community.forums import selectors
    from community.forums.models import ForumCategory, Topic
    from community.forums.views.common import POSTS_PER_PAGE, TOPICS_PER_PAGE

    member = get_user_model().objects.get(email="member1@bench.example")
    client = Client()
    client.force_login(member)
    figures, plans = [], []

    def page(label: str, url: str, main_tables: tuple[str, ...]):
        row, captured = _time_page(client, label, url, args.runs)
        figures.append(row)
        if args.queries:
            plans.append(_statements(label, captured))
        if args.explain:
            plans.extend(_explain(label, captured, main_tables))

    progress(f"timing pages as {member.email}: {args.runs} runs each after a warm-up")
    page("forum index", reverse("forums:index"), ("forums_forumcategory",))

    busiest = (Topic.objects.values("category").annotate(n=Count("pk")).order_by("-n").first())[
        "category"
    ]
    biggest = ForumCategory.objects.get(pk=busiest)
    visible = selectors.category_topics(biggest, member).count()
    last = max(1, math.ceil(visible / TOPICS_PER_PAGE))
    deep = min(100, last)
    url = reverse("forums:category", args=[biggest.slug])
    page(f"category '{biggest.slug}' ({visible:,} topics), page 1", url, ("forums_topic",))
    page(
        f"category '{biggest.slug}', page {deep} of {last}",
        f"{url}?page={deep}",
        ("forums_topic",),
    )

    counts = loaded["counts"]
    flags = loaded["topic_flags"]
    # A topic of 50+ posts near 60, listed (not hidden, not locked) and readable by anyone.
    candidates = [
        t + 1
        for t, n in enumerate(counts)
        if n >= 50 and t not in loaded["hidden"] and not any(flags[t + 1])
    ]
    fifty = min(candidates, key=lambda pk: (abs(counts[pk - 1] - 60), pk))
    for pk, label in ((fifty, "topic"), (loaded["largest"], "largest topic")):
        topic = Topic.objects.select_related("category").get(pk=pk)
        if not selectors.visible_topics(member).filter(pk=pk).exists():
            progress(f"skipping topic {pk}: hidden from {member.email}")
            continue
        n = topic.post_count
        pages = max(1, math.ceil(n / POSTS_PER_PAGE))
        url = reverse("forums:topic", args=[pk])
        if label == "topic":
            page(f"topic ({n:,} posts), page 1", url, ("forums_post",))
        page(f"{label} ({n:,} posts), last page {pages}", f"{url}?page={pages}", ("forums_post",))
    connection.close()
    return figures, plans


def _time_page(client, label: str, url: str, runs: int):
    """p50 and p95 wall-clock ms of `runs` GETs after a warm-up; the warm-up is run under
    CaptureQueriesContext for the query count and the slowest query (the timed runs are
    not instrumented)."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    # A request starts by emptying the query log (request_started -> reset_queries): empty
    # it first here too, or the count would be sliced from a stale offset.
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    queries = list(captured.captured_queries)
    if response.status_code != 200:
        raise RuntimeError(f"{label}: {url} answered {response.status_code}, expected 200")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{label}: {url} answered {response.status_code}")
    slowest = max(queries, key=lambda q: float(q["time"]))
    sql_ms = sum(float(q["time"]) for q in queries) * 1000
    row = (
        label,
        str(response.status_code),
        f"{percentile(times, 0.5):,.1f}",
        f"{percentile(times, 0.95):,.1f}",
        str(len(queries)),
        f"{sql_ms:,.1f}",
        f"{float(slowest['time']) * 1000:,.1f} ({_what(slowest['sql'])})",
    )
    return row, queries


def _what(sql: str) -> str:
    """A short name for a query: its main table, and count/select."""
    upper = sql.upper()
    after = upper.split(" FROM ", 1)[1] if " FROM " in upper else upper
    table = after.split()[0].strip('"').lower() if after.split() else "?"
    return f"{'count ' if 'COUNT(' in upper[:80] else ''}{table}"


def _statements(label: str, queries: list) -> str:
    """The page's statements in order: time, main table, and the start of the SQL."""
    lines = [f"\n  SQL of {label} ({len(queries)} statements, warm-up request):"]
    for number, query in enumerate(queries, start=1):
        sql = " ".join(query["sql"].split())
        ms = float(query["time"]) * 1000
        lines.append(f"    {number:2}. {ms:6.1f} ms  {_what(sql):<28} {sql[:110]}")
    return "\n".join(lines)


def _explain(label: str, queries: list, main_tables: tuple[str, ...]) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the page's queries on its main tables (the list and its
    count): the top node, the scans, sorts and joins under it, and the times."""
    from django.db import connection

    out = []
    for query in queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        if _what(sql).split()[-1] not in main_tables:
            continue
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = [row[0] for row in cur.fetchall()]
        words = ("Scan", "Sort", "Join", "Limit", "Aggregate", "Rows Removed", "Index Cond",
                 "Nested Loop", "Hash", "Filter", "Memoize")  # fmt: skip
        keep = [plan[0], *[line for line in plan[1:] if any(w in line for w in words)][:24]]
        keep += [line for line in plan if line.startswith(("Planning Time", "Execution Time"))]
        body = "\n".join(f"      {line[:160]}" for line in keep)
        out.append(f"\n  EXPLAIN ANALYZE {label}: {_what(sql)}\n      {sql[:300]}...\n{body}")
    return out


def print_figures(args, loaded: dict, figures: list, plans: list[str]) -> None:
    from django.conf import settings
    from django.db import connection

    for plan in plans:
        print(plan, flush=True)
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        version = cur.fetchone()[0]
        cur.execute("SHOW work_mem")
        work_mem = cur.fetchone()[0]
        cur.execute("SHOW shared_buffers")
        buffers = cur.fetchone()[0]
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    title = (
        f"Customer Club forums bench: {args.topics:,} topics, {args.posts:,} posts, "
        f"{args.members:,} members; database {loaded['size']} (forums_post "
        f"{loaded['posts_size']}), load {loaded['load_seconds']:.0f} s (COPY "
        f"{loaded['copy_seconds']:.0f} s, indexes {loaded['index_seconds']:.0f} s)\n"
        f"PostgreSQL {version} (work_mem {work_mem}, shared_buffers {buffers}), cache {cache}, "
        f"{os.cpu_count()} CPUs, load average now {os.getloadavg()[0]:.1f}; "
        f"{args.runs} runs a page after a warm-up, django.test.Client"
    )
    print_table(
        title,
        ("page", "status", "p50 ms", "p95 ms", "queries", "SQL ms", "slowest query ms"),
        figures,
        right={1, 2, 3, 4, 5},
    )
    print(f"total run time {time.perf_counter() - STARTED:.0f} s\n", flush=True)


if __name__ == "__main__":
    sys.exit(main())
