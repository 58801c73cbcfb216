import functools

from groups.models import Inquiry


def inbox(request):
    """The number of new web requests, for the staff's menu (counted only when shown)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_office_staff:
        return {}

    @functools.cache  # the menu and the dashboard show it: one query
    def new_requests():
        return Inquiry.objects.for_user(user).filter(status=Inquiry.Status.NEW).count()

    return {"nav_new_inquiries": new_requests}
