"""The default article categories, the "Member contributions" moderation workflow (one
Moderator approval task), and the Club manager's permissions on categories and the
submission rule (roles.py)."""

from django.db import migrations

from portal.accounts.roles import MODERATOR, sync_role_permissions

CATEGORIES = [
    # slug, name, Persian name, description, Persian description
    (
        "management",
        "Management",
        "مدیریت",
        "Leading teams and running a business.",
        "رهبری تیم‌ها و اداره‌ی کسب‌وکار.",
    ),
    (
        "health",
        "Health",
        "سلامت",
        "Looking after body and mind.",
        "مراقبت از جسم و ذهن.",
    ),
    (
        "economics-and-budgeting",
        "Economics and budgeting",
        "اقتصاد و بودجه‌بندی",
        "Household money, saving and spending well.",
        "پول خانواده، پس‌انداز و خرج‌کردن درست.",
    ),
    (
        "organisational-behaviour",
        "Organisational behaviour",
        "رفتار سازمانی",
        "How people work together.",
        "این‌که آدم‌ها چگونه با هم کار می‌کنند.",
    ),
    (
        "time-management",
        "Time management",
        "مدیریت زمان",
        "Getting the important things done.",
        "انجام دادن کارهای مهم.",
    ),
    (
        "product-know-how",
        "Product know-how",
        "دانش محصول",
        "Choosing, using and caring for what you buy.",
        "انتخاب، استفاده و نگهداری از آنچه می‌خرید.",
    ),
    (
        "technology",
        "Technology",
        "فناوری",
        "Gadgets, apps and the digital life.",
        "ابزارها، اپلیکیشن‌ها و زندگی دیجیتال.",
    ),
]
WORKFLOW_NAME = "Member contributions"
TASK_NAME = "Moderator approval"


def seed(apps, schema_editor):
    ArticleCategory = apps.get_model("content", "ArticleCategory")
    for slug, name, name_fa, description, description_fa in CATEGORIES:
        ArticleCategory.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "name_fa": name_fa,
                "description": description,
                "description_fa": description_fa,
            },
        )
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    if not WorkflowTask.objects.filter(workflow=workflow).exists():
        task_type, _created = ContentType.objects.get_or_create(
            app_label="wagtailcore", model="groupapprovaltask"
        )
        task = GroupApprovalTask.objects.create(name=TASK_NAME, content_type=task_type)
        task.groups.set([Group.objects.get_or_create(name=MODERATOR)[0]])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    sync_role_permissions(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("content", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
