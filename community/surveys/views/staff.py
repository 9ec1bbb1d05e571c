"""Staff pages: the list of surveys, a survey's results (charts per question, averages,
the NPS score, the first free-text answers), every free-text answer to a question page by
page, the responses as CSV or XLSX, and copying a ready-made survey as a draft.

Results are for club managers and moderators; the exports (one row per response, with the
member's id on a non-anonymous survey) for club managers only, and each export is written
to the audit trail. Copying needs the permission to add surveys (Club manager role)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from portal.accounts.decorators import role_required
from portal.audit import services as audit
from portal.shell import charts
from portal.shell.templatetags.club_format import digits

from .. import exports, ready_made, results, selectors, services
from ..forms import CopyTemplateForm
from ..models import Question, QuestionKind, Survey

MANAGE = "accounts.manage_club"
MODERATE = "accounts.moderate_community"
ADD_SURVEY = "surveys.add_survey"
PER_PAGE = 25
TEXTS_PER_PAGE = 25


def edit_url(survey: Survey) -> str:
    """The survey's page in the Wagtail admin (where managers edit it)."""
    return reverse(Survey.snippet_viewset.get_url_name("edit"), args=[survey.pk])


@role_required(MANAGE, MODERATE)
@require_safe
def survey_list(request):
    page = Paginator(selectors.staff_surveys(), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "surveys/staff/survey_list.html",
        {
            "page": page,
            "can_copy": request.user.has_perm(ADD_SURVEY),
            "can_edit": request.user.has_perm("surveys.change_survey"),
            "can_export": request.user.has_perm(MANAGE),
            "edit_url_name": Survey.snippet_viewset.get_url_name("edit"),
        },
    )


def _chart(result: results.QuestionResult):
    """The question's bar chart: a bar per choice or point of the scale, scaled to those
    who answered the question (so a bar's length is its share)."""
    scale = result.kind in (QuestionKind.RATING, QuestionKind.NPS)
    return charts.bar_chart(
        title=result.question.text,
        bars=[
            charts.Bar(
                label=digits(label) if scale else label,
                value=count,
                text=charts.count_and_share(count, result.answered),
            )
            for label, count in result.counts
        ],
        label_header=_("Score") if scale else _("Answer"),
        value_header=_("Answers (share)"),
        scale_max=max(result.answered, 1),
    )


@role_required(MANAGE, MODERATE)
@require_safe
def survey_results(request, survey_id: int):
    survey = get_object_or_404(Survey.objects.select_related("tier", "group"), pk=survey_id)
    built = results.build(survey)
    rows = []
    for result in built.questions:
        nps = result.nps
        rows.append(
            {
                "result": result,
                "chart": _chart(result) if result.counts else None,
                "nps_shares": {
                    "promoters": charts.format_percent(nps.share(nps.promoters)),
                    "passives": charts.format_percent(nps.share(nps.passives)),
                    "detractors": charts.format_percent(nps.share(nps.detractors)),
                }
                if nps
                else None,
            }
        )
    return render(
        request,
        "surveys/staff/survey_results.html",
        {
            "survey": survey,
            "results": built,
            "rows": rows,
            "can_export": request.user.has_perm(MANAGE),
            "preview": results.TEXT_PREVIEW,
        },
    )


@role_required(MANAGE, MODERATE)
@require_safe
def text_answers(request, survey_id: int, question_id: int):
    question = get_object_or_404(
        Question.objects.select_related("survey"),
        pk=question_id,
        survey_id=survey_id,
        kind=QuestionKind.TEXT,
    )
    page = Paginator(selectors.text_answers(question=question), TEXTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "surveys/staff/text_answers.html",
        {"survey": question.survey, "question": question, "page": page},
    )


def _export_name(survey: Survey, extension: str) -> str:
    return f"survey-{survey.pk}-responses-{timezone.localdate().isoformat()}.{extension}"


def _record_export(request, survey: Survey, file_format: str) -> None:
    audit.record(
        request=request,
        action=audit.Action.REPORT_EXPORTED,
        target=survey,
        report="survey_responses",
        format=file_format,
        anonymous=survey.is_anonymous,
    )


@role_required(MANAGE)
@require_safe
def responses_csv(request, survey_id: int):
    survey = get_object_or_404(Survey, pk=survey_id)
    _record_export(request, survey, "csv")
    response = StreamingHttpResponse(
        exports.csv_lines(survey), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name(survey, "csv")}"'
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(MANAGE)
@require_safe
def responses_xlsx(request, survey_id: int):
    survey = get_object_or_404(Survey, pk=survey_id)
    content = exports.workbook(survey)
    _record_export(request, survey, "xlsx")
    response = HttpResponse(content, content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_export_name(survey, "xlsx")}"'
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(ADD_SURVEY)
@require_http_methods(["GET", "HEAD", "POST"])
def template_copy(request):
    form = CopyTemplateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                survey = services.copy_ready_made(
                    key=form.cleaned_data["template"], topic=form.cleaned_data["topic"]
                )
            except services.TemplateError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _(
                        "“%(title)s” is ready as a draft. Check it, set its audience and "
                        "dates, and publish it."
                    )
                    % {"title": survey.title},
                )
                if request.user.has_perm("surveys.change_survey"):
                    return redirect(edit_url(survey))
                return redirect("surveys:staff-survey-list")
        status = 400
    return render(
        request,
        "surveys/staff/template_copy.html",
        {"form": form, "templates": ready_made.TEMPLATES},
        status=status,
    )
