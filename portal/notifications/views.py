from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .models import Notification
from .services import mark_read


@login_required
def notification_list(request):
    page = Paginator(
        Notification.objects.filter(member=request.user).order_by("-created_at", "-id"), 20
    ).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page})


@require_POST
@login_required
def notification_mark_read(request):
    ids = [int(value) for value in request.POST.getlist("id") if value.isdigit()]
    mark_read(member=request.user, notification_ids=ids or None)
    return redirect("notifications:list")
