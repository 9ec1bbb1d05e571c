"""Demo forums for `manage.py seed_demo` (portal/demo.py calls seed_forums after the demo
people and their tiers exist): categories of each kind, one for Gold members and above,
and a few topics in English and Persian with replies, a quote, tags, likes and a poll, all
made through the real services. Idempotent: a topic whose title exists is left alone.

Topics are dated over the past days so the forum looks lived in. The spam brakes count
what the seed posts; the demo members' brake counters are cleared before and after, so
the seed is never refused for another seed's posts and whoever tries the demo next is
not told to slow down."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from community import likes
from community.models import BrakeEvent
from gamification.models import Tier

from . import services
from .models import CategoryKind, ForumCategory, Post, Topic

# slug, name, kind, position, description, lowest tier slug
CATEGORIES = [
    ("products", "Our products", CategoryKind.PRODUCT, 10,
     "Questions, reviews and wishes about what we sell.", None),
    ("mahsoolat", "محصولات ما", CategoryKind.PRODUCT, 20,
     "پرسش، نقد و پیشنهاد درباره‌ی محصولات فروشگاه.", None),
    ("how-to", "Tips and how-tos", CategoryKind.EDUCATION, 10,
     "Getting the most out of the club, the card and the app.", None),
    ("amoozesh", "آموزش و ترفند", CategoryKind.EDUCATION, 20,
     "راهنمای باشگاه مشتریان، کارت دیجیتال و امتیازها.", None),
    ("gold-lounge", "Gold lounge", CategoryKind.GROUP, 10,
     "For Gold and VIP members: early news and events.", "gold"),
]  # fmt: skip

# category slug, author e-mail, days ago, title, text, tags, poll (question, answers, multiple)
TOPICS = [
    (
        "products", "member@club.example", 9,
        "Which reward should the club add next?",
        "We can already swap points for coffee and cinema tickets. What would you like "
        "to see in the catalogue next?",
        ["rewards"],
        ("What should come next?",
         ["A free delivery", "A cooking class", "Concert tickets"], False),
    ),
    (
        "mahsoolat", "ali@club.example", 8,
        "بهترین شعبه برای خرید آخر هفته کدام است؟",
        "آخر هفته‌ها شعبه‌ی مرکزی خیلی شلوغ است. شما کدام شعبه را پیشنهاد می‌کنید؟",
        ["شعبه", "خرید"],
        None,
    ),
    (
        "how-to", "john@club.example", 7,
        "How I earn points faster",
        "A few habits that helped me:\n\n- scan the digital card at **every** purchase\n"
        "- answer the monthly survey\n- post in the forums: topics and replies pay points",
        ["points", "tips"],
        None,
    ),
    (
        "amoozesh", "zahra@club.example", 6,
        "راهنمای کارت دیجیتال",
        "کارت دیجیتال را در بخش «باشگاه من» پیدا می‌کنید. صندوق‌دار بارکد یا کد QR را "
        "اسکن می‌کند و امتیاز خرید بلافاصله ثبت می‌شود.",
        ["کارت"],
        None,
    ),
    (
        "gold-lounge", "john@club.example", 5,
        "Welcome to the Gold lounge",
        "This corner is for Gold and VIP members. Early news about events comes here first.",
        [],
        None,
    ),
]  # fmt: skip

# topic title, author e-mail, days ago, text, quote the opening post?
REPLIES = [
    ("Which reward should the club add next?", "john@club.example", 8,
     "Concert tickets, definitely! Maybe for VIP members first?", True),
    ("Which reward should the club add next?", "maryam@club.example", 7,
     "A cooking class would be lovely.", False),
    ("بهترین شعبه برای خرید آخر هفته کدام است؟", "maryam@club.example", 7,
     "شعبه‌ی اصفهان صبح‌های جمعه خلوت است و پارکینگ هم دارد.", True),
    ("How I earn points faster", "zahra@club.example", 6,
     "Thanks! I did not know the survey pays points.", False),
    ("راهنمای کارت دیجیتال", "ali@club.example", 5,
     "ممنون، خیلی کمک کرد. اگر کارت گم شود موجودی از بین نمی‌رود؟", False),
]  # fmt: skip

# (topic title, liker e-mail): likes of opening posts
LIKES = [
    ("Which reward should the club add next?", "ali@club.example"),
    ("How I earn points faster", "member@club.example"),
    ("How I earn points faster", "maryam@club.example"),
    ("راهنمای کارت دیجیتال", "maryam@club.example"),
]

DEMO_EMAILS = sorted(
    {row[1] for row in TOPICS} | {row[1] for row in REPLIES} | {row[1] for row in LIKES}
)


def _clear_brakes(people) -> None:
    BrakeEvent.objects.filter(member__in=people).delete()


def seed_categories() -> dict[str, ForumCategory]:
    tiers = {tier.slug: tier for tier in Tier.objects.all()}
    categories = {}
    for slug, name, kind, position, description, tier_slug in CATEGORIES:
        categories[slug], _created = ForumCategory.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": kind,
                "position": position,
                "description": description,
                "min_tier": tiers.get(tier_slug) if tier_slug else None,
            },
        )
    return categories


def _seed_topic(people, categories, row, at) -> None:
    slug, email, _days, title, body, tags, poll = row
    if Topic.objects.filter(title=title).exists():
        return
    spec = None
    if poll is not None:
        question, answers, multiple = poll
        spec = services.PollSpec(question=question, choices=answers, is_multiple=multiple)
    services.start_topic(
        author=people[email],
        category=categories[slug],
        title=title,
        body=body,
        tags=tags,
        poll=spec,
        at=at,
    )


def _seed_reply(people, row, at) -> None:
    title, email, _days, body, quoting = row
    topic = Topic.objects.filter(title=title).select_related("first_post").first()
    if topic is None or Post.objects.filter(topic=topic, author=people[email]).exists():
        return
    services.reply(
        author=people[email],
        topic=topic,
        body=(services.quote_source(topic.first_post) if quoting else "") + body,
        quote_of=topic.first_post if quoting else None,
        at=at,
    )


def seed_forums() -> None:
    """Categories, topics, replies, likes and a poll for the demo members (who must exist:
    portal.demo.seed_people). Safe to run again."""
    people = {user.email: user for user in get_user_model().objects.filter(email__in=DEMO_EMAILS)}
    if len(people) < len(DEMO_EMAILS):
        return
    categories = seed_categories()
    now = timezone.now()
    _clear_brakes(people.values())
    # One timeline, oldest first: the brakes compare each post with the author's last one.
    timeline = [(row[2], 0, row) for row in TOPICS] + [(row[2], 1, row) for row in REPLIES]
    timeline.sort(key=lambda item: (-item[0], item[1]))
    for minute, (days, is_reply, row) in enumerate(timeline):
        at = now - timedelta(days=days) + timedelta(minutes=minute)
        if is_reply:
            _seed_reply(people, row, at)
        else:
            _seed_topic(people, categories, row, at)
    for title, email in LIKES:
        topic = Topic.objects.filter(title=title).select_related("first_post").first()
        if topic is not None:
            likes.like(member=people[email], target=topic.first_post)
    _clear_brakes(people.values())
