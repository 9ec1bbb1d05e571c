"""Demo news and events for `manage.py seed_demo` (portal/demo.py calls seed_events after
the home page and the demo people exist): a news index with four items (two in English,
two in Persian) and an event index with an exhibition (no limit) and a conference whose
three places are taken by demo members, with a fourth on the waiting list, so the demo
member sees a full event. Idempotent: pages that exist are left as they are, and RSVPs go
through the real service, which returns an existing registration unchanged."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Page

from portal.pages.seeding import published_child

from . import services
from .models import EventIndexPage, EventKind, EventPage, NewsIndexPage, NewsPage

NEWS = [
    (
        "new-branch-shiraz",
        "Our Shiraz branch has reopened",
        "After a month of work the Zand Boulevard branch is open again, with a bigger "
        "self-service corner.",
        "<p>The branch is open every day from 9 to 22. Members earn double points there "
        "during the opening week.</p>",
        10,
    ),
    (
        "points-week",
        "Double points week",
        "From Saturday to Friday every purchase earns twice the usual points.",
        "<p>The offer is for every member, in every branch. Points appear on your card "
        "as soon as the cashier credits the purchase.</p>",
        6,
    ),
    (
        "yalda-night",
        "جشن شب یلدا در باشگاه",
        "در شب یلدا همه شعبه‌ها تا نیمه‌شب باز هستند و اعضا هدیه می‌گیرند.",
        "<p>اعضای باشگاه در شب یلدا با هر خرید یک بسته آجیل هدیه می‌گیرند.</p>",
        3,
    ),
    (
        "mobile-login",
        "ورود با شماره همراه",
        "اکنون می‌توانید با شماره همراه تأییدشده وارد باشگاه شوید.",
        "<p>در «باشگاه من» شماره همراه خود را تأیید کنید تا با پیامک وارد شوید.</p>",
        1,
    ),
]

FULL_EVENT_SLUG = "retail-conference"
# Demo members of portal/demo.py who take the conference's places, the last one waiting.
CONFERENCE_GUESTS = [
    "ali@club.example",
    "maryam@club.example",
    "john@club.example",
    "zahra@club.example",
]


def _index(home: Page, model, slug: str, title: str, intro: str) -> Page:
    index = model.objects.child_of(home).first()
    if index is None:
        if Page.objects.child_of(home).filter(slug=slug).exists():
            slug = f"club-{slug}"
        index = published_child(home, model, slug, title=title, intro=intro)
    return index


def seed_events() -> None:
    from portal.pages.models import HomePage

    home = HomePage.objects.first()
    if home is None:
        return
    news_index = _index(
        home, NewsIndexPage, "news", "News", "What is new at the club and its branches."
    )
    for slug, title, summary, body, days_ago in NEWS:
        published_child(
            news_index,
            NewsPage,
            slug,
            title=title,
            summary=summary,
            body=body,
            date=timezone.localdate() - timedelta(days=days_ago),
        )

    events_index = _index(
        home,
        EventIndexPage,
        "events",
        "Events",
        "Exhibitions and conferences for club members: RSVP to keep your place.",
    )
    # Local midnight today: the events start at sensible hours in the club's time zone.
    now = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    published_child(
        events_index,
        EventPage,
        "spring-exhibition",
        title="Spring products exhibition",
        kind=EventKind.EXHIBITION,
        summary="New season products from our suppliers, with tastings and offers for members.",
        body="<p>Bring your club card: members get a gift at the entrance.</p>",
        starts_at=now + timedelta(days=10, hours=10),
        ends_at=now + timedelta(days=13, hours=18),
        venue="Tehran International Exhibition Center",
        city="Tehran",
        address="Chamran Highway",
        capacity=0,
    )
    conference = published_child(
        events_index,
        EventPage,
        FULL_EVENT_SLUG,
        title="Retail and loyalty conference",
        kind=EventKind.CONFERENCE,
        summary="A morning of talks on the future of the club, with the managers of every branch.",
        body="<p>Places are few: RSVP early. If the event is full, join the waiting list and "
        "we will tell you when a place opens up.</p>",
        starts_at=now + timedelta(days=20, hours=9),
        ends_at=now + timedelta(days=20, hours=17),
        rsvp_closes_at=now + timedelta(days=19),
        venue="Naqsh-e Jahan Hall",
        city="Isfahan",
        address="Chaharbagh Abbasi St.",
        capacity=len(CONFERENCE_GUESTS) - 1,
    )
    guests = get_user_model().objects.filter(email__in=CONFERENCE_GUESTS)
    by_email = {guest.email: guest for guest in guests}
    for email in CONFERENCE_GUESTS:
        if email in by_email:
            services.rsvp(event=conference, member=by_email[email])
