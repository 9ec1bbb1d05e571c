"""Create the role groups with exactly the permissions of portal/accounts/roles.py."""

from django.db import migrations

from portal.accounts.roles import sync_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("cardgateway", "0001_initial"),
        ("wagtailimages", "0023_add_choose_permissions"),
        ("wagtaildocs", "0011_add_choose_permissions"),
        ("gamification", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync_role_permissions, migrations.RunPython.noop)]
