from django.conf import settings


def navigation(request):
    """What the base layout needs for the role-based navigation."""
    user = getattr(request, "user", None)
    return {
        "nav_user": user if user is not None and user.is_authenticated else None,
        "languages": settings.LANGUAGES,
    }
