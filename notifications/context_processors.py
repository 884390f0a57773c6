def unread(request):
    """``unread_notifications``: the bell's count on every page (one indexed COUNT)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from notifications.services import unread_count

    # Once per request: each template rendered with the request (the job cards' panels)
    # runs the context processors again.
    if not hasattr(request, "_unread_notifications"):
        request._unread_notifications = unread_count(user)
    return {"unread_notifications": request._unread_notifications}
