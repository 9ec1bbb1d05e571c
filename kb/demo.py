"""Demo knowledge base and club page for `manage.py seed_demo` (portal/demo.py). Idempotent:
pages are found by slug and created only when missing."""

from portal.accounts import roles
from portal.pages.models import ClubPage, HomePage
from portal.pages.permissions import let_role_edit
from portal.pages.seeding import published_child

from .models import KBAnswerPage, KBSectionPage, KnowledgeBaseIndexPage

KB_SLUG = "help"
CLUB_SLUG = "membership"

CLUB_INTRO = (
    "<p>Every purchase at any of our branches earns you credit and points. Credit is money "
    "you spend at the till; points move you up through the tiers below and unlock better "
    "cashback. Taking part in the community earns points too.</p>"
)

# section slug, title, intro, [(slug, question, answer html, ticket category slug)]
SECTIONS = [
    (
        "points-and-credit",
        "Points and credit",
        "How you earn points and credit, and how to spend them.",
        [
            (
                "earn-points",
                "How do I earn points?",
                "<p>You earn points on every purchase when you show your club card or give "
                "your mobile number at the till, and for taking part in the community: "
                "posting topics, comments, answering surveys and more. The club page lists "
                "every rule and its daily limit.</p>",
                "card-points",
            ),
            (
                "spend-credit",
                "How is credit spent?",
                "<p>Tell the cashier you want to pay with credit. The amount is taken from "
                "your credit balance first and you pay the rest as usual. Credit can be "
                "spent once your balance reaches the minimum shown in your panel.</p>",
                "card-points",
            ),
            (
                "missing-points",
                "Points are missing from my purchase",
                "<p>Points appear within a few minutes of the purchase. If they are still "
                "missing after a day, file a ticket with the date, the branch and the "
                "receipt number and we will add them.</p>",
                "card-points",
            ),
            (
                "emtiaz-chegoone",
                "چطور امتیاز بگیرم؟",
                "<p>با هر خرید در شعبه‌ها و با ارائهٔ کارت باشگاه یا شمارهٔ موبایل، امتیاز و "
                "اعتبار می‌گیرید. شرکت در تالارهای گفتگو و نظرسنجی‌ها هم امتیاز دارد.</p>",
                "card-points",
            ),
        ],
    ),
    (
        "cards",
        "Your club card",
        "Getting, replacing and using your card.",
        [
            (
                "card-lost",
                "My card is lost",
                "<p>Ask any branch to block the lost card; they issue a new one for free on "
                "the spot. Your points and credit move to the new card intact.</p>",
                "card-points",
            ),
            (
                "kart-gom-shode",
                "کارتم گم شده است",
                "<p>به یکی از شعبه‌ها مراجعه کنید تا کارت گم‌شده مسدود و کارت تازه رایگان "
                "صادر شود. امتیاز و اعتبار شما روی کارت تازه منتقل می‌شود.</p>",
                "card-points",
            ),
        ],
    ),
    (
        "branches",
        "Branches and visits",
        "Where to find us and what to expect.",
        [
            (
                "nearest-branch",
                "Where is my nearest branch?",
                "<p>We have branches in Tehran (Valiasr St.), Isfahan (Chaharbagh Abbasi St.) "
                "and Shiraz (Zand Blvd.). Every branch credits purchases, issues cards and "
                "answers club questions.</p>",
                "branch",
            ),
            (
                "complaint-branch",
                "How do I complain about a branch?",
                "<p>Use the contact form: choose “complaint”, pick the branch and describe "
                "what happened. You get a tracking code at once to follow the answer.</p>",
                "branch",
            ),
        ],
    ),
]


def seed_kb() -> KnowledgeBaseIndexPage | None:
    """The knowledge base (3 sections, 8 answers in English and Persian) and the club page,
    under the home page. Does nothing without a home page."""
    from tickets.models import Category

    home = HomePage.objects.first()
    if home is None:
        return None
    categories = {c.slug: c for c in Category.objects.all()}
    index = published_child(
        home,
        KnowledgeBaseIndexPage,
        KB_SLUG,
        title="Help and answers",
        intro="<p>Quick answers to the questions members ask most.</p>",
        search_description="Answers about points, credit, club cards and branches.",
    )
    for slug, title, intro, answers in SECTIONS:
        section = published_child(index, KBSectionPage, slug, title=title, intro=intro)
        for answer_slug, question, answer, category in answers:
            published_child(
                section,
                KBAnswerPage,
                answer_slug,
                title=question,
                answer=answer,
                category=categories.get(category),
            )
    club = published_child(
        home,
        ClubPage,
        CLUB_SLUG,
        title="How the club works",
        intro=CLUB_INTRO,
        search_description="Tiers, cashback and how to earn points in the Customer Club.",
    )
    for page in (index, club):
        let_role_edit(page=page, role=roles.CLUB_MANAGER)
    return index
