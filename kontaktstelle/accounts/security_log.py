"""The security log: logins, logouts, lockouts, two-factor events and refused requests.

Everything goes to the logger ``kontaktstelle.security``, one line per event with the
user's id (never a name or e-mail address) and the client's IP address. Passwords,
codes and secrets are never logged. Each record also carries ``security_event``,
``security_user_id`` and ``security_ip`` for handlers that store fields.
"""

import logging

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from kontaktstelle.accounts.login_security import normalise_email
from kontaktstelle.web.clients import client_ip

logger = logging.getLogger("kontaktstelle.security")


def log_event(request, event, user_id=None, level=logging.INFO, **details):
    """Write one event; ``details`` are short values such as a path or a count."""
    ip = client_ip(request) if request is not None else None
    if user_id is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            user_id = user.pk
    text = " ".join(f"{key}={value}" for key, value in details.items())
    logger.log(
        level,
        "%s user=%s ip=%s%s",
        event,
        user_id if user_id is not None else "-",
        ip or "-",
        f" {text}" if text else "",
        extra={"security_event": event, "security_user_id": user_id, "security_ip": ip},
    )


def _account_id(email):
    """The id of the account with this e-mail address, if any (never the address)."""
    if not email:
        return None
    users = get_user_model().objects.filter(email__iexact=email)
    return users.values_list("pk", flat=True).first()


@receiver(user_logged_in, dispatch_uid="security_log_login")
def _log_login(sender, request, user, **kwargs):
    log_event(request, "login", user_id=user.pk)


@receiver(user_login_failed, dispatch_uid="security_log_login_failed")
def _log_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in ``credentials``; only the account's id
    # is logged, not the address typed (which may hold a mistyped password).
    user_id = _account_id(normalise_email(credentials.get("username")))
    log_event(request, "login_failed", user_id=user_id, level=logging.WARNING)


@receiver(user_logged_out, dispatch_uid="security_log_logout")
def _log_logout(sender, request, user, **kwargs):
    log_event(request, "logout", user_id=user.pk if user is not None else None)


@receiver(user_locked_out, dispatch_uid="security_log_locked_out")
def _log_locked_out(sender, request, username, ip_address, **kwargs):
    log_event(request, "login_locked", user_id=_account_id(username), level=logging.WARNING)


class SecurityLogMiddleware:
    """Logs every refused request (403): role checks, PermissionDenied, CSRF failures."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            log_event(request, "forbidden", level=logging.WARNING, path=request.path)
        return response
