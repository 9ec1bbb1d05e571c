"""The library's member screens: submit an article, my articles, and the article page's
comment and share actions (the article itself is a Wagtail page)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from community import services as community_services
from community.forms import CommentForm
from community.links import content_url
from portal.shell.errors import CodedError

from . import selectors, services
from .forms import ArticleSubmitForm, ShareForm
from .models import ArticlePage


@login_required
@require_http_methods(["GET", "POST"])
def article_submit(request):
    refusal = services.submission_refusal(request.user)
    if refusal is not None:
        return render(request, "content/article_submit.html", {"refusal": refusal}, status=403)
    form = ArticleSubmitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_article(
                author=request.user,
                title=form.cleaned_data["title"],
                summary=form.cleaned_data["summary"],
                category=form.cleaned_data["category"],
                body=form.cleaned_data["body"],
                cover=form.cleaned_data["cover"] or None,
            )
        except ValidationError as error:
            form.add_error(None, error)  # {"cover": ...}: shown at the picture field
        except CodedError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(
                request, _("Thank you! Your article is sent to the moderators for review.")
            )
            return redirect("content:mine")
    return render(
        request,
        "content/article_submit.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
def my_articles(request):
    return render(
        request,
        "content/my_articles.html",
        {
            "submissions": selectors.member_submissions(member=request.user),
            "refusal": services.submission_refusal(request.user),
        },
    )


def _public_article(pk: int) -> ArticlePage:
    article = get_object_or_404(ArticlePage.objects.live(), pk=pk)
    if not selectors.is_public(article):
        raise Http404
    return article


@login_required
@require_POST
def comment_create(request, pk: int):
    article = _public_article(pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = community_services.post_comment(
                author=request.user, target=article, body=form.cleaned_data["body"]
            )
        except CodedError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Your comment is posted."))
            return HttpResponseRedirect(f"{content_url(article)}#comment-{comment.pk}")
    context = article.get_context(request)
    context["form"] = form
    return TemplateResponse(request, article.get_template(request), context, status=400)


@login_required
@require_POST
def share(request, pk: int):
    """Record a share (content-share.js posts it when a share link is clicked). JSON for
    scripts, a redirect back to the article otherwise."""
    article = _public_article(pk)
    form = ShareForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": "bad_network"}, status=400)
    outcome = services.record_share(
        member=request.user, article=article, network=form.cleaned_data["network"]
    )
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"awarded": outcome.awarded, "reason": outcome.reason})
    return HttpResponseRedirect(content_url(article))
