"""Lockout of repeated failed logins, on top of django-axes.

Two limits, counted over the cool-off period (settings ``AXES_COOLOFF_TIME``):

- one e-mail address from one IP address: ``AXES_FAILURE_LIMIT`` failures lock that pair;
- one IP address, whatever the addresses tried: ``KONTAKTSTELLE_LOGIN_FAILURE_LIMIT_PER_IP``.

Failures are never counted per e-mail address alone, so someone who knows a user's
address cannot lock that user out from elsewhere; a lock ends by itself after the
cool-off, after a password reset, or when an office admin unlocks the account.
"""

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.db.models import Sum
from django.shortcuts import render


def normalise_email(value):
    """The form in which failures are counted: logins ignore case and outer blanks."""
    return value.strip().lower() if isinstance(value, str) else value


def login_username(request, credentials):
    """``AXES_USERNAME_CALLABLE``: the e-mail address as entered, normalised."""
    if credentials and credentials.get("username") is not None:
        return normalise_email(credentials["username"])
    return normalise_email(request.POST.get("username"))


class LoginBackend(AxesStandaloneBackend, ModelBackend):
    """The one authentication backend: axes refuses a locked login, then the password.

    One backend rather than axes' and Django's side by side, so that ``login()`` after
    an invitation needs no ``backend`` argument.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        # Raises PermissionDenied while locked; Django then reports a failed login.
        AxesStandaloneBackend.authenticate(
            self, request, username=username, password=password, **kwargs
        )
        return ModelBackend.authenticate(
            self, request, username=username, password=password, **kwargs
        )


def _failures(attempts):
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LoginAttemptHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit per address-and-IP pair and one per IP.

    Axes compares one number with one limit (``AXES_FAILURE_LIMIT``, the pair's). The
    IP's count is scaled onto that limit, so that it reaches the limit exactly when the
    IP reaches its own, higher one.
    """

    def get_failures(self, request, credentials=None):
        recent = AccessAttempt.objects.filter(
            attempt_time__gte=get_cool_off_threshold(request),
            ip_address=request.axes_ip_address,
        )
        pair = _failures(recent.filter(username=get_client_username(request, credentials)))
        per_ip = _failures(recent)
        limit = settings.AXES_FAILURE_LIMIT
        return max(pair, per_ip * limit // settings.KONTAKTSTELLE_LOGIN_FAILURE_LIMIT_PER_IP)

    def reset_user_attempts(self, request, credentials=None):
        # After a successful login only this address's failures from this IP are
        # forgotten: logging in to one's own account must not clear an IP's failures
        # against other accounts.
        count, _ = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        ).delete()
        return count


def unlock(email):
    """Forget the failed logins for this e-mail address, from every IP address.

    Returns how many records of failures were removed. A lock of a whole IP address
    (failures against many accounts) stays until its cool-off ends.
    """
    return AxesProxyHandler.reset_attempts(username=normalise_email(email))


def lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: the same page whether or not the account exists."""
    minutes = int(get_cool_off(request).total_seconds() // 60)
    return render(
        request,
        "registration/login_locked.html",
        {"minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting a new password through the e-mailed link also lifts a login lock."""

    def form_valid(self, form):
        response = super().form_valid(form)
        unlock(form.user.email)
        return response
