from django.urls import path

from .views import member, staff

app_name = "surveys"
urlpatterns = [
    # member pages
    path("", member.survey_list, name="survey-list"),
    path("<int:survey_id>/", member.survey_detail, name="survey-detail"),
    # staff pages
    path("staff/", staff.survey_list, name="staff-survey-list"),
    path("staff/templates/", staff.template_copy, name="template-copy"),
    path("staff/<int:survey_id>/", staff.survey_results, name="survey-results"),
    path(
        "staff/<int:survey_id>/questions/<int:question_id>/answers/",
        staff.text_answers,
        name="text-answers",
    ),
    path("staff/<int:survey_id>/responses.csv", staff.responses_csv, name="responses-csv"),
    path("staff/<int:survey_id>/responses.xlsx", staff.responses_xlsx, name="responses-xlsx"),
]
