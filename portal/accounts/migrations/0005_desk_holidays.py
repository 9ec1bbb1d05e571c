"""Give the Club manager role the desk's holidays (roles.py)."""

from django.db import migrations

from portal.accounts.roles import sync_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_desk_roles"),
        ("tickets", "0005_holidays"),
    ]

    operations = [migrations.RunPython(sync_role_permissions, migrations.RunPython.noop)]
