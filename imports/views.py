"""The member import screens in the Wagtail admin (club managers only): upload, column
mapping and dry run, the real run with its progress, and the report."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.accounts.decorators import role_required
from portal.audit.services import Action, record
from portal.shell.spreadsheets import XLSX_TYPE

from . import reports, services
from .checking import reason_text
from .forms import MappingForm, StartForm, UploadForm
from .mapping import FIELDS, guess_mapping
from .models import ImportJob, JobStatus

MANAGE = "accounts.manage_club"
PROBLEMS_SHOWN = 1000
LIGHT_FIELDS = ("rows", "findings", "header", "mapping")


def _page(request, template: str, title: str, **context):
    return render(
        request,
        template,
        {"page_title": title, "header_title": title, "header_icon": "upload", **context},
    )


@role_required(MANAGE)
def job_list(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = services.create_job(
            table=form.table, file_name=form.cleaned_data["file"].name, uploaded_by=request.user
        )
        return redirect("imports:job-mapping", pk=job.pk)
    jobs = ImportJob.objects.defer(*LIGHT_FIELDS).select_related("uploaded_by")
    page = Paginator(jobs, 50).get_page(request.GET.get("page"))
    return _page(request, "imports/job_list.html", _("Member import"), form=form, page=page)


def _job(pk: int, *, light: bool = True) -> ImportJob:
    jobs = ImportJob.objects.select_related("uploaded_by")
    if light:
        jobs = jobs.defer("rows")
    return get_object_or_404(jobs, pk=pk)


@role_required(MANAGE)
def job_mapping(request, pk: int):
    job = _job(pk, light=False)
    if job.status not in (JobStatus.UPLOADED, JobStatus.CHECKED):
        return redirect("imports:job-detail", pk=job.pk)
    initial = job.mapping or guess_mapping(job.header)
    form = MappingForm(
        request.POST or None,
        header=job.header,
        initial={name: str(column) for name, column in initial.items()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.dry_run(job=job, mapping=form.mapping())
        except services.ImportRefused:
            messages.error(request, _("This import has started already."))
        return redirect("imports:job-detail", pk=job.pk)
    samples = job.rows[:3]
    return _page(
        request,
        "imports/job_mapping.html",
        _("Map the columns of %(file)s") % {"file": job.file_name},
        job=job,
        form=form,
        samples=[row[1:] for row in samples],
    )


@role_required(MANAGE)
def job_detail(request, pk: int):
    job = _job(pk)
    problems = [
        {"line": line, "mobile": mobile, "reason": reason_text(code, detail)}
        for line, mobile, code, detail in job.findings.get("problems", [])[:PROBLEMS_SHOWN]
    ]
    labels = dict(FIELDS)
    mapped = [
        (labels[name], job.header[column])
        for name, column in job.mapping.items()
        if column < len(job.header)
    ]
    return _page(
        request,
        "imports/job_detail.html",
        job.file_name,
        job=job,
        problems=problems,
        more_problems=max(0, job.findings.get("bad", 0) - PROBLEMS_SHOWN),
        mapped=mapped,
        start_form=StartForm(initial={"issue_cards": job.issue_cards}),
        can_start=services.can_start(job),
        in_progress=job.status in (JobStatus.QUEUED, JobStatus.RUNNING),
    )


@require_POST
@role_required(MANAGE)
def job_start(request, pk: int):
    job = _job(pk)
    form = StartForm(request.POST)
    if form.is_valid():
        try:
            services.start_import(job=job, issue_cards=form.cleaned_data["issue_cards"])
        except services.ImportRefused:
            messages.error(request, _("This import is not waiting to start."))
        else:
            record(
                request=request,
                action=services.AUDIT_ACTION,
                target=job,
                what="member import started",
                file=job.file_name,
                rows=job.total,
                issue_cards=form.cleaned_data["issue_cards"],
            )
            messages.success(request, _("The import has started."))
    return redirect("imports:job-detail", pk=job.pk)


@require_POST
@role_required(MANAGE)
def job_discard(request, pk: int):
    try:
        services.discard_job(job=_job(pk))
    except services.ImportRefused:
        messages.error(request, _("This import has started already."))
        return redirect("imports:job-detail", pk=pk)
    messages.success(request, _("The import and its file were deleted."))
    return redirect("imports:job-list")


@require_GET
@role_required(MANAGE)
def job_status(request, pk: int):
    job = get_object_or_404(ImportJob.objects.defer(*LIGHT_FIELDS), pk=pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "created": job.created,
            "updated": job.updated,
            "skipped": job.skipped,
            "bad": job.bad,
            "finished": job.status in (JobStatus.DONE, JobStatus.FAILED),
        }
    )


@require_GET
@role_required(MANAGE)
def job_report(request, pk: int, fmt: str):
    job = _job(pk)
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        response = HttpResponse(reports.workbook(job), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(reports.csv_text(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-{stamp}.{fmt}"'
    record(
        request=request,
        action=Action.REPORT_EXPORTED,
        target=job,
        report="member import",
        format=fmt,
    )
    return response
