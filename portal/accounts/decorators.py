from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.views.defaults import permission_denied


def role_required(*perms: str):
    """Staff views: anonymous users go to log-in; a logged-in user needs at least one of
    `perms` (the role permissions of roles.py) or gets 403. Checked on the server."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (user.is_superuser or any(user.has_perm(perm) for perm in perms)):
                # Answered here: Wagtail's admin turns a raised PermissionDenied into a
                # redirect to its home page, which would hide the refusal.
                return permission_denied(request, PermissionDenied())
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
