"""Give the Club manager role the desk's lists and numbers (roles.py)."""

from django.db import migrations

from portal.accounts.roles import sync_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_gateway_roles"),
        ("tickets", "0003_seed_desk"),
    ]

    operations = [migrations.RunPython(sync_role_permissions, migrations.RunPython.noop)]
