"""Every change the article library makes: members submitting articles into the
moderation workflow, what happens when one is approved, rejected, published or
unpublished (wired to Wagtail's signals in signals.py), and recording shares."""

import secrets

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.images import get_image_model
from wagtail.models import Task, Workflow, WorkflowPage, WorkflowTask
from wagtail.rich_text import RichText

from community import text
from gamification import activity
from gamification.activity import Outcome
from gamification.models import Account, Action, Currency
from gamification.tiers import current_tier
from portal.accounts import roles
from portal.pages.permissions import let_role_edit
from portal.shell import pictures
from portal.shell.errors import CodedError

from .models import ArticlePage, ContentSettings, MemberContributionsPage, Network, Share

WORKFLOW_NAME = "Member contributions"
TASK_NAME = "Moderator approval"
# What the Moderator role may do in the contributions section, and the club manager in
# the whole library (Wagtail page permissions: codenames of wagtailcore.Page).
SECTION_PERMISSIONS = {
    roles.MODERATOR: ("change_page", "publish_page"),
    roles.CLUB_MANAGER: ("add_page", "change_page", "publish_page"),
}
COVER_MAX_KB = 4096
BODY_LENGTH = 20_000


class SubmissionRefused(CodedError):
    code = "submission_refused"
    default_message = _("You cannot submit articles right now.")

    def __init__(self, message=None, *, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code


def submission_refusal(member) -> SubmissionRefused | None:
    """Why `member` may not submit an article (the club manager's rule), or None."""
    rule = ContentSettings.load()
    section = MemberContributionsPage.objects.first()
    if not rule.submissions_open or section is None:
        return SubmissionRefused(
            _("Member articles are not being accepted at the moment."), code="closed"
        )
    if rule.min_tier_id:
        tier = current_tier(member)
        if tier is None or tier.threshold < rule.min_tier.threshold:
            return SubmissionRefused(
                _("Members of the %(tier)s tier and above can submit articles.")
                % {"tier": rule.min_tier.name},
                code="tier",
            )
    if rule.min_points:
        earned = (
            Account.objects.filter(member=member, currency=Currency.POINTS)
            .values_list("lifetime_earned", flat=True)
            .first()
            or 0
        )
        if earned < rule.min_points:
            return SubmissionRefused(
                _("You can submit articles once you have earned %(points)s points.")
                % {"points": rule.min_points},
                code="points",
            )
    return None


def _unique_slug(parent, title: str) -> str:
    base = slugify(title, allow_unicode=True)[:60].strip("-") or "article"
    slug = base
    while parent.get_children().filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


def markdown_blocks(source: str) -> list[tuple[str, RichText]]:
    """Paragraph blocks from Markdown: one per blank-line-separated chunk, each rendered
    and sanitized by the community's renderer (no raw HTML, safe links only)."""
    chunks = [chunk.strip() for chunk in source.replace("\r\n", "\n").split("\n\n")]
    return [("paragraph", RichText(text.render(chunk))) for chunk in chunks if chunk]


def submit_article(
    *, author, title: str, summary: str, category, body: str, cover=None
) -> ArticlePage:
    """A member's article: a draft ArticlePage (author = the member) in the contributions
    section, sent to its moderation workflow. Raises SubmissionRefused (the club manager's
    rule, an empty body) or ValidationError({"cover": ...}) for a bad picture, saving
    nothing. One transaction."""
    refusal = submission_refusal(author)
    if refusal is not None:
        raise refusal
    title = title.strip()
    blocks = markdown_blocks(body[:BODY_LENGTH])
    if not title or not blocks:
        raise SubmissionRefused(_("Give the article a title and some text."), code="empty")
    picture = pictures.clean_upload(cover, max_kb=COVER_MAX_KB, field="cover") if cover else None
    section = MemberContributionsPage.objects.first()
    with transaction.atomic():
        setup_contributions_section(section=section)
        image = None
        if picture is not None:
            image = get_image_model().objects.create(
                title=title[:255], file=picture, uploaded_by_user=author
            )
        article = ArticlePage(
            title=title[:255],
            slug=_unique_slug(section, title),
            summary=summary.strip()[:400],
            category=category,
            author=author,
            cover_image=image,
            body=blocks,
            live=False,
            owner=author,
        )
        section.add_child(instance=article)
        article.save_revision(user=author, log_action=True)
        workflow = article.get_workflow()
        if workflow is None:  # pragma: no cover - setup_contributions_section assigned one
            raise SubmissionRefused(code="no_workflow")
        workflow.start(article, author)
    return article


def member_contributions_workflow() -> Workflow:
    """The "Member contributions" workflow with its Moderator approval task (made by
    migration 0002; made again here when missing, e.g. after a test flushed the tables)."""
    from wagtail.models import GroupApprovalTask

    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    if not workflow.workflow_tasks.exists():
        task = Task.objects.filter(name=TASK_NAME).first()
        if task is None:
            task = GroupApprovalTask.objects.create(name=TASK_NAME)
            task.groups.set([Group.objects.get_or_create(name=roles.MODERATOR)[0]])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow


def setup_contributions_section(*, section) -> None:
    """Assign the moderation workflow to the contributions section and give the Moderator
    role its page permissions there, and the club manager theirs on the library. Idempotent."""
    with transaction.atomic():
        WorkflowPage.objects.get_or_create(
            page=section, defaults={"workflow": member_contributions_workflow()}
        )
        grant_page_permissions(page=section, role=roles.MODERATOR)
        grant_page_permissions(page=section.get_parent(), role=roles.CLUB_MANAGER)


def grant_page_permissions(*, page, role: str) -> None:
    let_role_edit(page=page, role=role, codenames=SECTION_PERMISSIONS[role])


# --- Moderation outcomes and publication (called from signals.py) ---------------------------


def _tell_author(*, article: ArticlePage, title: str, body: str = "") -> None:
    from django.urls import reverse

    from portal.notifications.services import notify

    notify(
        member=article.author,
        kind="article",
        title=title[:200],
        body=body[:500],
        url=article.url if article.live else reverse("content:mine"),
    )


def article_approved(*, article: ArticlePage) -> None:
    """Tell the author their article is published."""
    if article.author_id is None:
        return
    from portal.notifications.services import language_of

    with translation.override(language_of(article.author)):
        title = gettext("Your article “%(title)s” is published") % {"title": article.title}
    _tell_author(article=article, title=title)


def article_rejected(*, article: ArticlePage, comment: str = "") -> None:
    """Tell the author their article was returned, with the reviewer's comment."""
    if article.author_id is None:
        return
    from portal.notifications.services import language_of

    with translation.override(language_of(article.author)):
        title = gettext("Your article “%(title)s” needs changes") % {"title": article.title}
        body = comment or gettext("The moderators did not publish it.")
    _tell_author(article=article, title=title, body=body)


def article_published(*, article: ArticlePage) -> Outcome | None:
    """Pay the author the "article published" rule, once while the article stays live:
    publishing a new revision pays nothing more (the activity engine's idempotency)."""
    if article.author_id is None:
        return None
    return activity.record(member=article.author, action=Action.ARTICLE_PUBLISHED, subject=article)


def article_unpublished(*, article: ArticlePage) -> int:
    """Take back the author's points for publishing it (per the rule's setting)."""
    return activity.revoke(subject=article)


# --- Shares ---------------------------------------------------------------------------------


def record_share(*, member, article: ArticlePage, network: str) -> Outcome:
    """`member` shared `article` to `network`: at most one award per member, article and
    network, within the "shared" rule's daily cap. Idempotent; one transaction."""
    if network not in Network.values:
        raise ValueError(f"unknown network {network!r}")
    with transaction.atomic():
        try:
            with transaction.atomic():
                share, _created = Share.objects.get_or_create(
                    member=member, article=article, network=network
                )
        except IntegrityError:  # the same share, a moment earlier
            share = Share.objects.get(member=member, article=article, network=network)
        return activity.record(member=member, action=Action.SHARED, subject=share)
