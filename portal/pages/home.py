"""What the home page shows beside its own text: the latest articles and announcements,
the upcoming events, the top of this month's leaderboard and, for a member, their place
on it. A fixed number of queries however many pages and members there are."""

from content.models import ArticleIndexPage
from content.selectors import latest_articles
from events.models import EventIndexPage
from events.selectors import upcoming_events
from gamification import leaderboards
from showcase.models import AnnouncementIndexPage
from showcase.selectors import latest_announcements

ARTICLES = 3
EVENTS = 3
ANNOUNCEMENTS = 3
LEADERS = 5


def home_context(*, user) -> dict:
    context = {
        "latest_articles": latest_articles(ARTICLES),
        "upcoming_events": upcoming_events(EVENTS),
        "latest_announcements": latest_announcements(ANNOUNCEMENTS),
        "leaders": leaderboards.top(period=leaderboards.MONTH, limit=LEADERS),
        # Where "see all" leads: the first live index page of each kind (None hides it).
        "library": ArticleIndexPage.objects.live().public().first(),
        "events_index": EventIndexPage.objects.live().public().first(),
        "announcements_index": AnnouncementIndexPage.objects.live().public().first(),
    }
    if user.is_authenticated:
        context["my_rank"], context["my_month_points"] = leaderboards.rank_of(
            member=user, period=leaderboards.MONTH
        )
    return context
