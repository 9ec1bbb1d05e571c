"""The activity feed, status updates and their comments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.shell.errors import CodedError

from .. import feed as feed_lines
from .. import likes, moderation, services
from ..forms import CommentForm, StatusForm
from ..links import content_url
from ..models import Comment, StatusUpdate
from ..profiles import attach_author_status
from ..targets import can_see, is_moderator
from .common import safe_next

FEED_PAGE = 20
COMMENTS_PAGE = 50


@login_required
@require_GET
def feed(request):
    page = Paginator(feed_lines.for_member(request.user), FEED_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "community/feed.html",
        {
            "page": page,
            "form": StatusForm(),
            "suspension": moderation.active_suspension(request.user),
        },
    )


@login_required
@require_POST
def status_create(request):
    form = StatusForm(request.POST, request.FILES)
    fallback = reverse("community:feed")
    if form.is_valid():
        try:
            status = services.post_status(
                author=request.user,
                body=form.cleaned_data["body"],
                photo=form.cleaned_data["photo"] or None,
            )
        except ValidationError as error:
            form.add_error(None, error)  # {"photo": ...}: shown at the photo field
        except CodedError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Your status update is posted."))
            return HttpResponseRedirect(safe_next(request, content_url(status)))
    return render(
        request,
        "community/status_form.html",
        {"form": form, "next": safe_next(request, fallback)},
        status=400,
    )


def _visible_status(request, pk: int) -> StatusUpdate:
    status = get_object_or_404(
        StatusUpdate.objects.select_related("author", "author__profile", "author__community"),
        pk=pk,
    )
    if not can_see(request.user, status):
        raise Http404
    return status


def _status_page(request, status, form, *, status_code=200):
    comments = Comment.objects.filter(
        target_type=ContentType.objects.get_for_model(StatusUpdate), target_id=status.pk
    ).select_related("author", "author__profile", "author__community")
    moderator = is_moderator(request.user)
    if not moderator:
        # Hidden comments: only their authors see them (marked as hidden).
        comments = comments.filter(Q(is_hidden=False) | Q(author=request.user))
    page = Paginator(comments, COMMENTS_PAGE).get_page(request.GET.get("page"))
    shown = attach_author_status([status, *page.object_list])
    liked_comments = likes.liked_ids(member=request.user, targets=shown[1:])
    for comment in shown[1:]:
        comment.liked = comment.pk in liked_comments
    status.liked = bool(likes.liked_ids(member=request.user, targets=[status]))
    return render(
        request,
        "community/status_detail.html",
        {
            "status": status,
            "comments": shown[1:],
            "page": page,
            "form": form,
            "is_moderator": moderator,
        },
        status=status_code,
    )


@login_required
@require_GET
def status_detail(request, pk: int):
    status = _visible_status(request, pk)
    return _status_page(request, status, CommentForm())


@login_required
@require_POST
def comment_create(request, pk: int):
    status = _visible_status(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = services.post_comment(
                author=request.user, target=status, body=form.cleaned_data["body"]
            )
        except CodedError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Your comment is posted."))
            return HttpResponseRedirect(f"{content_url(status)}#comment-{comment.pk}")
    return _status_page(request, status, form, status_code=400)


@login_required
@require_GET
def comment_redirect(request, pk: int):
    """A comment's address: the page of what it comments on, at the comment."""
    comment = get_object_or_404(Comment, pk=pk)
    target = comment.target
    if target is None or not can_see(request.user, comment) or not can_see(request.user, target):
        raise Http404
    url = content_url(target)
    if not url:
        raise Http404
    return HttpResponseRedirect(f"{url}#comment-{comment.pk}")
