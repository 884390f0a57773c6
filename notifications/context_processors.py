def unread(request):
    """``unread_notifications``: the bell's count on every page (one indexed COUNT)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from core.web import per_request
    from notifications.services import unread_count

    return {"unread_notifications": per_request(request, "unread", lambda: unread_count(user))}
