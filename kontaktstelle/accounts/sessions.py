"""Limits on how long a login lasts: idle time and an absolute maximum.

The session holds the time of the login and of the last request (Unix seconds). A
session idle for longer than ``KONTAKTSTELLE_SESSION_IDLE_MINUTES`` or older than
``KONTAKTSTELLE_SESSION_MAX_HOURS`` is logged out, and the user is sent to the login
page with a message saying why.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from kontaktstelle.accounts.security_log import log_event

LOGIN_AT_KEY = "kontaktstelle_login_at"
SEEN_AT_KEY = "kontaktstelle_seen_at"
# The last activity is written at most once a minute, so that an ordinary request
# does not have to save the session.
SEEN_AT_RESOLUTION = 60


def _now():
    return int(timezone.now().timestamp())


@receiver(user_logged_in, dispatch_uid="sessions_login_time")
def _remember_login_time(sender, request, user, **kwargs):
    now = _now()
    request.session[LOGIN_AT_KEY] = now
    request.session[SEEN_AT_KEY] = now


class SessionLimitMiddleware:
    """Ends idle and over-long sessions; place it after the message middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            expired = self._expiry_message(request)
            if expired:
                log_event(request, "session_expired", reason=expired[0])
                logout(request)
                messages.info(request, expired[1])
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)

    def _expiry_message(self, request):
        session = request.session
        now = _now()
        login_at = session.setdefault(LOGIN_AT_KEY, now)
        seen_at = session.setdefault(SEEN_AT_KEY, now)
        idle_minutes = settings.KONTAKTSTELLE_SESSION_IDLE_MINUTES
        max_hours = settings.KONTAKTSTELLE_SESSION_MAX_HOURS
        if now - login_at > max_hours * 3600:
            return (
                "absolute",
                _("Your session ended after %(hours)s hours. Please log in again.")
                % {"hours": max_hours},
            )
        if now - seen_at > idle_minutes * 60:
            return (
                "idle",
                _(
                    "You were logged out after %(minutes)s minutes without activity. "
                    "Please log in again."
                )
                % {"minutes": idle_minutes},
            )
        if now - seen_at >= SEEN_AT_RESOLUTION:
            session[SEEN_AT_KEY] = now
        return None
