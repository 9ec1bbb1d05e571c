"""Demo articles for `manage.py seed_demo` (portal/demo.py calls seed_articles after the
home page and the demo people exist): the library under the home page, the member
contributions section with its moderation workflow, a dozen articles across the
categories in English and Persian, and one article by member@club.example that went
through the workflow and is published. Idempotent: an article whose slug exists is left
alone."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.rich_text import RichText

from portal.pages.models import HomePage

from . import services
from .models import ArticleCategory, ArticleIndexPage, ArticlePage, MemberContributionsPage


def _p(*paragraphs: str) -> list[tuple[str, RichText]]:
    return [("paragraph", RichText(f"<p>{text}</p>")) for text in paragraphs]


def _quote(text: str, attribution: str = "") -> list[tuple[str, dict]]:
    return [("quote", {"text": text, "attribution": attribution})]


def _callout(tone: str, text: str) -> list[tuple[str, dict]]:
    return [("callout", {"tone": tone, "text": RichText(f"<p>{text}</p>")})]


# slug, category slug, days ago, title, summary, byline, tags, body
ARTICLES = [
    (
        "the-one-on-one-meeting",
        "management",
        30,
        "The one-on-one meeting that actually helps",
        "Fifteen minutes a week with each person on your team can prevent months of "
        "misunderstanding. Here is how to keep them useful.",
        "Club editorial team",
        ["leadership", "meetings"],
        _p(
            "Most managers agree that regular one-on-one meetings matter, and most of them "
            "cancel the meeting the moment the week gets busy. That is exactly the week "
            "the meeting would have helped.",
            "A good one-on-one belongs to the team member, not to the manager. Let them "
            "bring the agenda: what is blocking them, what they are proud of, what they "
            "would change. Status updates can live in a shared document.",
        )
        + _quote(
            "The single biggest problem in communication is the illusion that it has taken place.",
            "George Bernard Shaw",
        )
        + _p(
            "Keep a short note of what you agreed and start the next meeting by checking "
            "it. People notice when promises are remembered, and they notice even more "
            "when they are forgotten."
        )
        + _callout(
            "tip", "Book the meetings as a recurring event and move them rather than cancel them."
        ),
    ),
    (
        "delegating-without-losing-sleep",
        "management",
        24,
        "Delegating without losing sleep",
        "Handing work over is a skill. Agree on the result, the deadline and how often "
        "you will check in, and then step back.",
        "Club editorial team",
        ["leadership", "delegation"],
        _p(
            "Delegation fails in two familiar ways: the manager gives away a task and "
            "disappears, or gives it away and keeps doing it anyway. Both leave the team "
            "member unsure who really owns the work.",
            "Before you hand something over, write down three things: what done looks "
            "like, when it is due, and when you will look at it together. Agreeing on "
            "check-ins at the start means they feel like support rather than suspicion.",
            "Expect the result to differ from what you would have made. If it meets the "
            "goal, that difference is not a mistake; it is someone else's judgement, "
            "and it is how people grow.",
        ),
    ),
    (
        "sleep-and-the-working-day",
        "health",
        21,
        "Sleep is part of the working day",
        "A tired brain makes slower and riskier decisions. Small changes in the evening "
        "make a measurable difference the next morning.",
        "Dr. Nasim Farahani",
        ["sleep", "wellbeing"],
        _p(
            "Adults need seven to nine hours of sleep, yet many of us treat sleep as the "
            "first thing to cut when the calendar fills up. The cost shows up the next "
            "day as poorer concentration, shorter temper and more mistakes.",
            "Try to go to bed and get up at the same time every day, weekends included. "
            "Dim the lights an hour before bed and put the phone in another room; the "
            "light and the notifications both keep the brain alert.",
        )
        + _callout(
            "warning",
            "If you snore loudly or wake up exhausted despite a full "
            "night in bed, talk to a doctor: sleep apnoea is common "
            "and treatable.",
        )
        + _p(
            "Caffeine stays in the body for hours. A coffee after three in the afternoon "
            "can still be working against you at midnight."
        ),
    ),
    (
        "walking-meetings",
        "health",
        17,
        "Walking meetings: fresh air and better ideas",
        "Not every meeting needs a table. A walk suits conversations between two or "
        "three people and gets you away from the screen.",
        "Club editorial team",
        ["wellbeing", "meetings"],
        _p(
            "Sitting for long hours is linked to back pain, poor circulation and low "
            "energy. A walking meeting is a simple way to add movement to a day that is "
            "otherwise spent in a chair.",
            "Walking side by side also changes the conversation. People tend to speak "
            "more openly when they are not facing each other across a desk, which makes "
            "walks good for feedback and for thinking through a problem.",
            "Keep it small, plan a route that takes the time you have, and send a short "
            "summary afterwards so nothing decided on the way is lost.",
        ),
    ),
    (
        "a-household-budget-in-an-hour",
        "economics-and-budgeting",
        14,
        "A household budget in one hour",
        "You do not need an app or a spreadsheet course. One hour, last month's "
        "statements and three columns are enough to start.",
        "Club editorial team",
        ["budget", "saving"],
        _p(
            "Take last month's bank and card statements and sort every payment into "
            "three columns: fixed costs such as rent and bills, everyday spending such "
            "as food and transport, and everything else.",
            "The third column is where the surprises live. Most households find that "
            "small, frequent purchases add up to more than they would have guessed.",
        )
        + _quote(
            "Do not save what is left after spending; spend what is left after saving.",
            "Warren Buffett",
        )
        + _p(
            "Decide on a saving amount first and move it to a separate account on the "
            "day your salary arrives. What remains is what you can spend."
        )
        + _callout(
            "tip",
            "Your club credit counts too: spend it at the till on the "
            "things you were going to buy anyway.",
        ),
    ),
    (
        "why-teams-stop-speaking-up",
        "organisational-behaviour",
        12,
        "Why teams stop speaking up",
        "When people expect to be blamed for bad news, they stop bringing it. "
        "Psychological safety is built in small moments.",
        "Club editorial team",
        ["teams", "culture"],
        _p(
            "Teams rarely fail because nobody saw the problem coming. More often someone "
            "saw it and decided that saying so was not worth the risk.",
            "Leaders set the tone in small moments: how they react to a mistake, whether "
            "they thank the person who raises a concern, whether they admit their own "
            "errors. Each reaction teaches the team what is safe to say.",
            "Ask open questions in meetings, and wait. Silence feels long to the person "
            "who asked, but it is often the time someone needs to decide to speak.",
        ),
    ),
    (
        "the-two-minute-rule",
        "time-management",
        9,
        "The two-minute rule and other small habits",
        "If it takes less than two minutes, do it now. A few simple rules keep the "
        "to-do list short and the mind clear.",
        "Club editorial team",
        ["productivity", "habits"],
        _p(
            "Small tasks cost more to track than to do. Replying to a short message, "
            "filing a receipt or booking an appointment takes less time than writing it "
            "on a list and reading that list three times.",
            "For bigger work, block time in the calendar as if it were a meeting with "
            "yourself. Protect the first hours of the morning for the task that needs "
            "the most thought.",
        )
        + _callout(
            "info",
            "Review your week every Friday: what got done, what moved, "
            "and what can be dropped altogether.",
        ),
    ),
    (
        "choosing-a-vacuum-cleaner",
        "product-know-how",
        6,
        "Choosing a vacuum cleaner that suits your home",
        "Corded, cordless or robot? The right choice depends on your floors, your pets "
        "and how often you clean.",
        "Branch product advisers",
        ["home", "buying guide"],
        _p(
            "Cordless stick vacuums are light and quick for daily tidying, but their "
            "batteries usually last twenty to forty minutes. For a large home with "
            "carpets, a corded model still cleans more deeply.",
            "If you have pets, look for a brush that resists tangled hair and a filter "
            "that can be washed. Robot vacuums keep floors tidy between proper cleans "
            "but do not replace them.",
            "Ask at any branch to try the models in store: our advisers can show you how "
            "to empty, wash and maintain each one.",
        ),
    ),
    (
        "two-factor-authentication",
        "technology",
        3,
        "Turn on two-factor authentication today",
        "A password alone is no longer enough. A second step at log-in stops most "
        "account takeovers.",
        "Club editorial team",
        ["security", "accounts"],
        _p(
            "Passwords leak: through data breaches, phishing messages and reuse across "
            "sites. Two-factor authentication adds a second step, usually a code from an "
            "app on your phone, so a stolen password alone is not enough.",
            "Start with the accounts that matter most: your e-mail, because it can reset "
            "every other password, then your bank and your social networks.",
        )
        + _quote("Security is a process, not a product.", "Bruce Schneier")
        + _callout("warning", "The club will never ask you for a log-in code by phone or message."),
    ),
    (
        "modiriat-e-zaman-dar-khane",
        "time-management",
        20,
        "مدیریت زمان برای پدر و مادرهای شاغل",
        "وقتی کار و خانه هر دو وقت می‌خواهند، برنامه‌ریزی ساده‌ی هفتگی از فشار روزانه می‌کاهد.",
        "تیم تحریریه‌ی باشگاه",
        ["برنامه‌ریزی", "خانواده"],
        _p(
            "بسیاری از پدر و مادرهای شاغل احساس می‌کنند همیشه از برنامه عقب‌اند. "
            "مشکل معمولاً کمبود وقت نیست، بلکه این است که همه‌ی کارها هم‌زمان فوری به "
            "نظر می‌رسند.",
            "عصر جمعه نیم ساعت برای برنامه‌ی هفته بگذارید: خریدهای لازم، قرارهای "
            "پزشکی و کارهای مدرسه را یک‌جا بنویسید و بین اعضای خانواده تقسیم کنید.",
        )
        + _quote("کار امروز را به فردا مَیَفکن.", "ضرب‌المثل فارسی")
        + _callout("tip", "خرید هفتگی را در یک نوبت انجام دهید و با کارت باشگاه امتیاز بگیرید."),
    ),
    (
        "sarfe-jooyi-dar-kharid",
        "economics-and-budgeting",
        15,
        "پنج راه ساده برای صرفه‌جویی در خرید ماهانه",
        "با فهرست خرید، مقایسه‌ی قیمت واحد و استفاده از اعتبار باشگاه، هزینه‌ی ماهانه را کم کنید.",
        "تیم تحریریه‌ی باشگاه",
        ["صرفه‌جویی", "بودجه"],
        _p(
            "پیش از رفتن به فروشگاه فهرست خرید بنویسید و به آن پایبند بمانید. "
            "خریدهای بی‌برنامه بخش بزرگی از هزینه‌ی ماهانه‌ی خانواده‌هاست.",
            "به قیمت واحد نگاه کنید، نه فقط قیمت بسته. بسته‌ی بزرگ‌تر همیشه ارزان‌تر نیست.",
            "اعتبار باشگاه را فراموش نکنید: اعتباری که از خریدهای قبلی جمع کرده‌اید "
            "را می‌توانید هنگام پرداخت در صندوق خرج کنید.",
        ),
    ),
    (
        "salamat-e-chashm",
        "health",
        10,
        "مراقبت از چشم‌ها در روزهای پشت‌میزنشینی",
        "ساعت‌ها نگاه کردن به صفحه‌ی نمایش چشم‌ها را خسته می‌کند؛ قانون ۲۰-۲۰-۲۰ کمک می‌کند.",
        "دکتر نسیم فراهانی",
        ["سلامت", "کار"],
        _p(
            "خشکی و خستگی چشم از شکایت‌های رایج کسانی است که بیشتر روز را پشت "
            "رایانه می‌گذرانند. هنگام تمرکز روی صفحه، کمتر از معمول پلک می‌زنیم.",
            "هر بیست دقیقه، بیست ثانیه به چیزی در فاصله‌ی حدود شش متری نگاه کنید. "
            "صفحه را کمی پایین‌تر از سطح چشم و در فاصله‌ی یک دست قرار دهید.",
        )
        + _callout("warning", "اگر تاری دید یا سردرد مداوم دارید، به چشم‌پزشک مراجعه کنید."),
    ),
]

# The member's article (submitted and approved through the moderation workflow).
MEMBER_ARTICLE = {
    "title": "What I learned running a small bakery for ten years",
    "summary": "Early mornings, loyal customers and a notebook of recipes: lessons from "
    "a decade behind the counter.",
    "category": "management",
    "body": (
        "Ten years ago I opened a bakery with two ovens and a lot of optimism. The ovens "
        "are still working; the optimism needed a few repairs along the way.\n\n"
        "The most important lesson: **regular customers are the business**. They forgive "
        "a burnt batch if you remember their name and their usual order.\n\n"
        "The second lesson: write everything down. Recipes, supplier prices, which days "
        "are busy. My notebook has saved me more money than any discount.\n\n"
        "Finally, take a day off. A tired baker makes tired bread."
    ),
    "tags": ["small business", "lessons"],
}


def seed_library() -> tuple[ArticleIndexPage, MemberContributionsPage]:
    """The article library under the home page and its contributions section."""
    home = HomePage.objects.first()
    library = ArticleIndexPage.objects.first()
    if library is None:
        library = home.add_child(
            instance=ArticleIndexPage(
                title="Article library",
                slug="articles",
                intro="<p>Practical reading for members: management, health, money, "
                "time, technology and the products we sell.</p>",
            )
        )
    section = MemberContributionsPage.objects.first()
    if section is None:
        section = library.add_child(
            instance=MemberContributionsPage(
                title="Member contributions",
                slug="members",
                intro="<p>Articles written by club members. Write one yourself: every "
                "published article earns points.</p>",
            )
        )
    services.setup_contributions_section(section=section)
    return library, section


def _backdate(article: ArticlePage, days: int) -> None:
    when = timezone.now() - timedelta(days=days, hours=3)
    ArticlePage.objects.filter(pk=article.pk).update(
        first_published_at=when, last_published_at=when, latest_revision_created_at=when
    )


def seed_articles() -> None:
    library, section = seed_library()
    categories = {c.slug: c for c in ArticleCategory.objects.all()}
    existing = set(ArticlePage.objects.values_list("slug", flat=True))
    for slug, category, days, title, summary, byline, tags, body in ARTICLES:
        if slug in existing:
            continue
        article = ArticlePage(
            title=title,
            slug=slug,
            summary=summary,
            byline=byline,
            category=categories.get(category),
            body=body,
        )
        article.tags.add(*tags)
        library.add_child(instance=article)
        article.save_revision().publish()
        _backdate(article, days)
    _seed_member_article(section, categories)


def _seed_member_article(section, categories) -> None:
    users = get_user_model().objects
    author = users.filter(email="member@club.example").first()
    moderator = users.filter(email="moderator@club.example").first()
    if author is None or ArticlePage.objects.filter(author=author).exists():
        return
    article = services.submit_article(
        author=author,
        title=MEMBER_ARTICLE["title"],
        summary=MEMBER_ARTICLE["summary"],
        category=categories.get(MEMBER_ARTICLE["category"]),
        body=MEMBER_ARTICLE["body"],
    )
    article.tags.add(*MEMBER_ARTICLE["tags"])
    article.save_revision(user=author)
    state = article.current_workflow_state
    if state is not None and moderator is not None:
        # The moderator approves it in the Wagtail admin; here through the same task API.
        task_state = state.current_task_state
        task_state.task.specific.on_action(task_state, moderator, "approve", comment="")
    else:
        article.get_latest_revision().publish()
    _backdate(article, 5)
