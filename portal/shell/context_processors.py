from portal.accounts.roles import is_staff_member


def shell(request):
    """What the header needs on every page: unread count and whether to show the staff
    link, and the member's tier and balances."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0, "is_staff_member": False}
    from gamification.selectors import member_status
    from portal.notifications.services import unread_count

    return {
        "unread_notifications": unread_count(member=user),
        "is_staff_member": is_staff_member(user),
        "member_status": member_status(member=user),
    }
