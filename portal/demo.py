"""Demo data for `manage.py seed_demo`. Every function is idempotent: running the seed
twice changes nothing. Later features add their own seed functions to SEEDERS."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from wagtail.models import Collection, Locale, Page, Site

from cardgateway.models import Branch
from cockpit.demo import seed_cockpit
from community.contests.demo import seed_contests
from community.forums.demo import seed_forums
from content.demo import seed_articles
from events.demo import seed_events
from kb.demo import seed_kb
from portal.accounts import roles
from portal.accounts.models import User
from portal.accounts.services import register_member
from portal.pages.models import HomePage
from showcase.demo import seed_showcase

DEMO_PASSWORD = "club-demo-2026"  # noqa: S105 - public demo logins, printed by `make run`
# The demo card reader (`manage.py reader_sim` uses these by default) and the demo member's
# card, the example number of GATEWAY.md. Public like the password: demo data only.
DEMO_TERMINAL_ID = "DEMO-T1"
DEMO_TERMINAL_SECRET = "demo-reader-secret-not-for-production"  # noqa: S105
DEMO_CARD_NUMBER = "6037990000000006"
DEMO_CARD_MEMBER = "member@club.example"

# code, name, city, address, latitude, longitude (the impossible-travel fraud rule uses them)
BRANCHES = [
    (
        "tehran-central",
        "Tehran Central",
        "Tehran",
        "Valiasr St. 1200",
        Decimal("35.715298"),
        Decimal("51.404343"),
    ),
    (
        "isfahan-naqsh",
        "Isfahan Naqsh-e Jahan",
        "Isfahan",
        "Chaharbagh Abbasi St.",
        Decimal("32.657473"),
        Decimal("51.677608"),
    ),
    (
        "shiraz-zand",
        "Shiraz Zand",
        "Shiraz",
        "Zand Blvd.",
        Decimal("29.617178"),
        Decimal("52.543163"),
    ),
]

# email, role, first name, last name, mobile
PEOPLE = [
    ("member@club.example", roles.MEMBER, "Sara", "Karimi", "+989121110001"),
    ("moderator@club.example", roles.MODERATOR, "Reza", "Moradi", "+989121110002"),
    ("support@club.example", roles.SUPPORT_AGENT, "Leila", "Ahmadi", "+989121110003"),
    ("cashier@club.example", roles.CASHIER, "Omid", "Rahimi", "+989121110004"),
    ("manager@club.example", roles.CLUB_MANAGER, "Nasrin", "Tehrani", "+989121110005"),
]
MEMBERS = [
    ("ali@club.example", "Ali", "Hosseini", "+989121110011", date(1990, 3, 21)),
    ("maryam@club.example", "Maryam", "Jafari", "+989121110012", date(1985, 7, 2)),
    ("john@club.example", "John", "Smith", "+447911123456", date(1979, 12, 30)),
    ("zahra@club.example", "Zahra", "Rezaei", "+989121110014", date(2000, 1, 15)),
]


def seed_branches() -> list[Branch]:
    return [
        Branch.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "city": city,
                "address": address,
                "latitude": latitude,
                "longitude": longitude,
            },
        )[0]
        for code, name, city, address, latitude, longitude in BRANCHES
    ]


def _person(email, first, last, mobile, branch, **profile) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = register_member(
            email=email,
            password=DEMO_PASSWORD,
            mobile=mobile,
            first_name=first,
            last_name=last,
            home_branch=branch,
            city=branch.city,
            **profile,
        )
        User.objects.filter(pk=user.pk).update(mobile_verified=True)
        from allauth.account.models import EmailAddress

        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
    return user


def seed_people(branches: list[Branch]) -> list[tuple[str, str]]:
    logins = []
    for index, (email, role, first, last, mobile) in enumerate(PEOPLE):
        user = _person(email, first, last, mobile, branches[index % len(branches)])
        user.groups.add(Group.objects.get(name=role))
        logins.append((str(roles.ROLE_LABELS[role]), email))
    for index, (email, first, last, mobile, birth) in enumerate(MEMBERS):
        user = _person(
            email, first, last, mobile, branches[index % len(branches)], birth_date=birth
        )
        user.groups.add(Group.objects.get(name=roles.MEMBER))
    return logins


def _tree_root() -> Page:
    """The page tree's root. Wagtail's migrations make it with the default locale and the
    root collection; a flushed database (transactional tests) has none of them."""
    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    return Page.get_first_root_node() or Page.add_root(instance=Page(title="Root"))


def seed_home_page() -> HomePage:
    home = HomePage.objects.first()
    if home is None:
        root = _tree_root()
        # Wagtail's initial migration leaves a placeholder "Welcome" page as the site root.
        for placeholder in root.get_children().exact_type(Page):
            placeholder.delete()
        home = root.add_child(
            instance=HomePage(
                title="Customer Club",
                slug="home",
                hero_title="Welcome to the Customer Club",
                hero_text="Collect credit at every branch, earn points for taking part, "
                "and get answers fast.",
            )
        )
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={
            "hostname": "localhost",
            "port": 80,
            "root_page": home,
            "site_name": "Customer Club",
        },
    )
    return home


# email, points earned (as purchase points, spread over recent days), credit
CLUB_BALANCES = [
    ("member@club.example", 1450, 120_000),
    ("ali@club.example", 6200, 45_000),
    ("maryam@club.example", 380, 0),
    ("john@club.example", 22_000, 310_000),
    ("zahra@club.example", 90, 5_000),
]


def seed_club() -> None:
    """Balances, tiers, a referral, rewards and a challenge for the demo members. Postings
    go through the ledger with fixed idempotency keys, so a second run changes nothing."""
    from datetime import timedelta

    from django.utils import timezone

    from gamification import ledger, tiers
    from gamification.models import Action, Challenge, EntryKind, Referral, Reward
    from gamification.referrals import register_referral

    now = timezone.now()
    for email, points, credit in CLUB_BALANCES:
        user = User.objects.get(email=email)
        for day in range(5):
            ledger.post(
                member=user,
                currency="points",
                amount=points // 5,
                kind=EntryKind.PURCHASE_POINTS,
                idempotency_key=f"demo:{email}:points:{day}",
                at=now - timedelta(days=day * 3),
                description="Demo purchase",
            )
        if credit:
            ledger.post(
                member=user,
                currency="credit",
                amount=credit,
                kind=EntryKind.CASHBACK,
                idempotency_key=f"demo:{email}:credit",
                description="Demo cashback",
            )
        tiers.evaluate(member=user, reason="demo data")
    member = User.objects.get(email="member@club.example")
    maryam = User.objects.get(email="maryam@club.example")
    if not Referral.objects.filter(referee=maryam).exists():
        register_referral(referrer=member, referee=maryam)
    for name, cost, stock in [
        ("Free coffee", 300, None),
        ("10% off one bill", 1200, 50),
        ("Cinema ticket", 2500, 10),
    ]:
        Reward.objects.get_or_create(name=name, defaults={"points_cost": cost, "stock": stock})
    Challenge.objects.get_or_create(
        name="Join the conversation",
        defaults={
            "description": "Post five comments this month.",
            "action": Action.COMMENT_POSTED,
            "target": 5,
            "starts_at": now - timedelta(days=1),
            "ends_at": now + timedelta(days=30),
            "reward_points": 100,
        },
    )


def seed_gateway(branches: list[Branch]) -> tuple[str, str]:
    """The demo reader DEMO-T1 at the first branch with its fixed secret, a card for every
    demo member (member@club.example gets DEMO_CARD_NUMBER), and the cashier's station
    there. Returns the terminal id and the demo member's card number. Nothing that exists
    is changed, so a second run (or a rotated secret) is left alone."""
    from cardgateway import services as gateway
    from cardgateway.models import Card, CashierStation, Terminal

    branch = branches[0]
    terminal = Terminal.objects.filter(terminal_id=DEMO_TERMINAL_ID).first()
    if terminal is None:
        terminal, _secret = gateway.create_terminal(
            branch=branch,
            name="Demo reader",
            terminal_id=DEMO_TERMINAL_ID,
            secret=DEMO_TERMINAL_SECRET,
        )
    holders = [DEMO_CARD_MEMBER] + [email for email, *_rest in MEMBERS]
    for email in holders:
        user = User.objects.get(email=email)
        if not Card.objects.filter(member=user).exists():
            wanted = DEMO_CARD_NUMBER if email == DEMO_CARD_MEMBER else ""
            if wanted and Card.objects.filter(number=wanted).exists():
                wanted = ""
            gateway.issue_card(member=user, branch=branch, number=wanted)
    cashier = User.objects.get(email="cashier@club.example")
    CashierStation.objects.get_or_create(
        cashier=cashier, defaults={"branch": branch, "terminal": terminal}
    )
    return gateway_demo()


DEMO_GUEST_MOBILE = "09121110099"
CANNED_REPLIES = [
    (
        "Thanks, we are on it",
        "Dear {customer_name}, thank you for telling us. We are looking into ticket "
        "{tracking_code} and will answer within one working day.",
    ),
    (
        "Points added",
        "Dear {customer_name}, the missing points are now on your card. Ticket "
        "{tracking_code} is resolved; please rate our answer.",
    ),
]


def seed_desk(branches: list[Branch]) -> str:
    """Canned replies and three tickets the first time: the demo member's open complaint
    with an answer and an internal note, their resolved card question, and a guest's
    suggestion (filed with DEMO_GUEST_MOBILE) to try the tracking page with. Returns the
    guest ticket's tracking code."""
    from tickets import services as desk
    from tickets.models import CannedReply, Category, Status, Ticket

    for title, body in CANNED_REPLIES:
        CannedReply.objects.get_or_create(title=title, defaults={"body": body})
    guest_ticket = Ticket.objects.filter(guest_mobile__endswith=DEMO_GUEST_MOBILE[1:]).first()
    if guest_ticket is not None:
        return guest_ticket.tracking_code
    member = User.objects.get(email=DEMO_CARD_MEMBER)
    agent = User.objects.get(email="support@club.example")
    categories = {c.slug: c for c in Category.objects.all()}
    complaint = desk.open_ticket(
        kind="complaint",
        category=categories["branch"],
        branch=branches[0],
        member=member,
        subject="Long queue at the till",
        description="I waited twenty minutes at the till on Friday evening.",
    )
    desk.assign(ticket=complaint, assignee=agent, actor=agent)
    desk.add_reply(
        ticket=complaint,
        author=agent,
        body=CannedReply.objects.get(title=CANNED_REPLIES[0][0]).render(complaint),
    )
    desk.add_reply(
        ticket=complaint,
        author=agent,
        internal=True,
        body="Asked the branch manager for Friday's staffing plan.",
    )
    question = desk.open_ticket(
        kind="support",
        category=categories["card-points"],
        member=member,
        subject="Points missing from a purchase",
        description="My purchase last week did not add any points.",
    )
    desk.assign(ticket=question, assignee=agent, actor=agent)
    desk.add_reply(
        ticket=question,
        author=agent,
        body=CannedReply.objects.get(title=CANNED_REPLIES[1][0]).render(question),
    )
    desk.change_status(ticket=question, to=Status.RESOLVED, actor=agent)
    guest_ticket = desk.open_ticket(
        kind="suggestion",
        category=categories["website"],
        guest_name="Hamid Najafi",
        guest_mobile=DEMO_GUEST_MOBILE,
        subject="A Persian calendar view of my purchases",
        description="It would help to see purchases by Persian month.",
    )
    return guest_ticket.tracking_code


def desk_demo() -> str:
    """The demo guest ticket's tracking code ("" when missing), for seed_demo to print."""
    from tickets.models import Ticket

    return (
        Ticket.objects.filter(guest_mobile__endswith=DEMO_GUEST_MOBILE[1:])
        .values_list("tracking_code", flat=True)
        .first()
        or ""
    )


@transaction.atomic
def seed() -> list[tuple[str, str]]:
    branches = seed_branches()
    logins = seed_people(branches)
    seed_home_page()
    seed_club()
    seed_articles()
    seed_forums()
    seed_gateway(branches)
    seed_desk(branches)
    seed_contests()
    seed_kb()
    seed_showcase()
    seed_events()
    seed_cockpit()
    return logins


def gateway_demo() -> tuple[str, str]:
    """The demo reader's id and the demo member's active card number, for seed_demo to
    print ("" when missing)."""
    from cardgateway.models import Card, CardStatus, Terminal

    terminal = Terminal.objects.filter(terminal_id=DEMO_TERMINAL_ID).exists()
    card = (
        Card.objects.filter(member__email=DEMO_CARD_MEMBER, status=CardStatus.ACTIVE)
        .values_list("number", flat=True)
        .first()
    )
    return (DEMO_TERMINAL_ID if terminal else ""), card or ""
