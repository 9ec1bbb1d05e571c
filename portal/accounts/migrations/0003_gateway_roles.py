"""Give the Club manager role the card gateway's permissions (roles.py)."""

from django.db import migrations

from portal.accounts.roles import sync_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("cardgateway", "0002_gateway"),
    ]

    operations = [migrations.RunPython(sync_role_permissions, migrations.RunPython.noop)]
