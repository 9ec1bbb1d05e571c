"""Interest groups: the list, a group's page, joining and leaving."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.shell.errors import CodedError

from .. import sections, services
from ..models import GroupMembership, InterestGroup
from .common import back, refused

MEMBERS_PAGE = 48


@login_required
@require_GET
def group_list(request):
    groups = InterestGroup.objects.filter(is_active=True).annotate(size=Count("memberships"))
    mine = set(
        GroupMembership.objects.filter(member=request.user).values_list("group_id", flat=True)
    )
    return render(request, "community/group_list.html", {"groups": groups, "mine": mine})


def _group(slug: str) -> InterestGroup:
    return get_object_or_404(InterestGroup, slug=slug, is_active=True)


@login_required
@require_GET
def group_detail(request, slug: str):
    group = _group(slug)
    memberships = GroupMembership.objects.filter(group=group).select_related(
        "member", "member__profile", "member__community"
    )
    page = Paginator(memberships, MEMBERS_PAGE).get_page(request.GET.get("page"))
    context = {
        "group": group,
        "page": page,
        "is_member": GroupMembership.objects.filter(group=group, member=request.user).exists(),
        "group_sections": sections.build(sections.GROUP_SECTIONS, group=group, viewer=request.user),
    }
    return render(request, "community/group_detail.html", context)


@login_required
@require_POST
def join(request, slug: str):
    group = _group(slug)
    fallback = reverse("community:group", args=[group.slug])
    try:
        if services.join_group(member=request.user, group=group):
            messages.success(request, _("You joined %(group)s.") % {"group": group.name})
    except CodedError as error:
        return refused(request, error, fallback)
    return back(request, fallback)


@login_required
@require_POST
def leave(request, slug: str):
    group = get_object_or_404(InterestGroup, slug=slug)
    fallback = (
        reverse("community:group", args=[group.slug]) if group.is_active else "/community/groups/"
    )
    if services.leave_group(member=request.user, group=group):
        messages.success(request, _("You left %(group)s.") % {"group": group.name})
    return back(request, fallback)
