"""Demo content of the showcase pages for `manage.py seed_demo` (portal/demo.py):
idempotent, and no network (the demo video is a YouTube link whose player address is
worked out locally, showcase/video.py)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

# name, kind, city, address, phone, opening hours, map link
DEALERS = [
    ("Pars Home Appliances", "dealer", "Tehran", "Valiasr St. 1450", "021 8800 1234",
     "Sat-Wed 9:00-20:00", "https://www.openstreetmap.org/#map=17/35.7570/51.4100"),
    ("نمایندگی آفتاب", "representative", "Tehran", "خیابان شریعتی، پلاک ۲۱۰", "021 2222 5678",
     "شنبه تا چهارشنبه ۱۰ تا ۱۹", ""),
    ("Naqsh-e Jahan Store", "branch_partner", "Isfahan", "Chaharbagh Abbasi St. 88",
     "031 3222 4455", "Sat-Thu 9:30-21:00", ""),
    ("فروشگاه زاینده‌رود", "dealer", "Isfahan", "خیابان نظر شرقی، پلاک ۱۲", "031 3624 1100",
     "", ""),
    ("Zand Electronics", "dealer", "Shiraz", "Zand Blvd. 301", "071 3233 9090",
     "Sat-Wed 9:00-18:00", ""),
    ("نمایندگی ارم", "representative", "Shiraz", "بلوار ارم، نبش کوچه ۱۴", "071 3628 7000",
     "همه‌روزه ۹ تا ۲۱", ""),
]  # fmt: skip

# email of a demo member, title, why, period
FAMED = [
    ("ali@club.example", "Helper of the year",
     "Answered more questions in the forums than anyone else, always kindly.", "2025"),
    ("john@club.example", "Loyal since day one",
     "A member since the club opened, and our most thoughtful suggester.", "2025"),
]  # fmt: skip

DEMO_VIDEO_URL = "https://www.youtube.com/watch?v=aqz-KE-bpKQ"


def seed_dealers() -> None:
    from .models import Dealer

    for name, kind, city, address, phone, hours, map_url in DEALERS:
        Dealer.objects.get_or_create(
            name=name,
            city=city,
            defaults={
                "kind": kind,
                "address": address,
                "phone": phone,
                "opening_hours": hours,
                "map_url": map_url,
            },
        )


@transaction.atomic
def seed_showcase() -> None:
    """Two announcements, two executives' messages, six dealers in three cities, one
    video and a hall of fame with two demo members, under the home page."""
    from portal.accounts import roles
    from portal.accounts.models import User
    from portal.pages.models import HomePage
    from portal.pages.permissions import let_role_edit
    from portal.pages.seeding import published_child

    from .models import (
        AnnouncementIndexPage,
        AnnouncementPage,
        DealerDirectoryPage,
        ExecutiveMessageIndexPage,
        ExecutiveMessagePage,
        HallOfFameEntry,
        HallOfFamePage,
        VideoIndexPage,
        VideoPage,
    )

    home = HomePage.objects.first()
    if home is None:
        return
    today = timezone.localdate()
    products = published_child(
        home,
        AnnouncementIndexPage,
        "new-products",
        title="New products",
        intro="<p>What is new on our shelves.</p>",
    )
    published_child(
        products,
        AnnouncementPage,
        "aria-espresso-machine",
        title="Aria espresso machine",
        product_name="Aria espresso machine",
        launch_date=today - timedelta(days=20),
        summary="A compact espresso machine with a steam wand, made for small kitchens.",
        body=[("paragraph", "<p>Fifteen bars of pressure and a one-litre tank.</p>")],
        price_text="from 24,900,000 rials",
    )
    published_child(
        products,
        AnnouncementPage,
        "sepid-air-purifier",
        title="Sepid air purifier",
        product_name="Sepid air purifier",
        launch_date=today - timedelta(days=3),
        summary="A quiet air purifier with a washable filter for rooms up to 40 m².",
        body=[("quote", {"text": "Cleaner air for Tehran's winter.", "source": "Our team"})],
    )
    messages = published_child(
        home, ExecutiveMessageIndexPage, "messages", title="Messages from our executives"
    )
    published_child(
        messages,
        ExecutiveMessagePage,
        "welcome-to-the-club",
        title="Welcome to the club",
        executive_name="Mina Sadeghi",
        executive_role="Chief executive",
        date=today - timedelta(days=30),
        message="<p>Thank you for being with us. The club is yours: tell us what to improve.</p>",
    )
    published_child(
        messages,
        ExecutiveMessagePage,
        "three-new-cities",
        title="Three cities, one club",
        executive_name="Kaveh Nikpour",
        executive_role="Head of customer experience",
        date=today - timedelta(days=5),
        message="<p>Our representatives in Isfahan and Shiraz now honour your club card.</p>",
    )
    seed_dealers()
    directory = published_child(
        home,
        DealerDirectoryPage,
        "dealers",
        title="Representatives and dealers",
        intro="<p>Find a representative or dealer near you.</p>",
    )
    videos = published_child(home, VideoIndexPage, "videos", title="Videos")
    published_child(
        videos,
        VideoPage,
        "how-we-test",
        title="How we test every product",
        video_url=DEMO_VIDEO_URL,
        duration=timedelta(minutes=9, seconds=56),
        description="<p>A short film (a stand-in for the company's own video).</p>",
        transcript="There is no dialogue in this film; music only.",
    )
    hall = published_child(
        home,
        HallOfFamePage,
        "hall-of-fame",
        title="Hall of fame",
        intro="<p>Members who make the club what it is.</p>",
    )
    for section in (products, messages, directory, videos, hall):
        let_role_edit(page=section, role=roles.CLUB_MANAGER)
    for order, (email, title, reason, period) in enumerate(FAMED):
        member = User.objects.filter(email=email).first()
        if member is not None:
            HallOfFameEntry.objects.get_or_create(
                page=hall,
                member=member,
                defaults={"title": title, "reason": reason, "period": period, "sort_order": order},
            )
