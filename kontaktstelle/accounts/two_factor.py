"""Two-factor login with an authenticator app (TOTP, django-otp) and backup codes.

Anyone may set it up. For staff, office admins and platform operators it is required
while ``KONTAKTSTELLE_REQUIRE_2FA_FOR_STAFF`` is on. After the password, a user with a
confirmed authenticator must enter a code before any other page; a user who must use
two-factor login but has not set it up is kept on the set-up page.
"""

import base64
import logging

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kontaktstelle.accounts.security_log import log_event

# Whether the user had a confirmed authenticator when last looked at; saves a query
# on every request of the many users without one.
HAS_DEVICE_KEY = "kontaktstelle_2fa_device"
BACKUP_CODE_COUNT = 10
DEVICE_NAME = "Authenticator"
BACKUP_DEVICE_NAME = "Backup codes"


def is_required(user):
    """Whether this user may not work without two-factor login."""
    return settings.KONTAKTSTELLE_REQUIRE_2FA_FOR_STAFF and (
        user.is_office_staff or user.is_staff or user.is_superuser
    )


def has_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_step(request):
    """``"verify"``, ``"setup"`` or None: what the logged-in user must do first."""
    user = request.user
    if user.is_verified():
        return None
    known = request.session.get(HAS_DEVICE_KEY)
    if known is None or known:
        # Unknown, or known to have one: look again, the device may have been reset.
        known = has_device(user)
        request.session[HAS_DEVICE_KEY] = known
    if known:
        return "verify"
    if is_required(user):
        return "setup"
    return None


@receiver(user_logged_in, dispatch_uid="two_factor_device_at_login")
def _remember_device_at_login(sender, request, user, **kwargs):
    request.session[HAS_DEVICE_KEY] = has_device(user)


def unconfirmed_device(user):
    """The authenticator being set up: the same secret until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def secret_text(device):
    """The secret for typing into an app: Base32 in groups of four."""
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device):
    """The set-up link of ``device`` as an inline SVG QR code, drawn on the server."""
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage, border=4
    )
    svg = image.get_image()
    svg.set("width", "220")
    svg.set("height", "220")
    svg.set("role", "img")
    svg.set("aria-label", _("QR code for the authenticator app"))
    # ElementTree escapes every value; the markup is built here, not taken from input.
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308  # nosec B308, B703


def _normalise_code(code):
    return "".join(code.split()).replace("-", "").lower()


def confirm_device(request, device_pk, code):
    """Confirm the authenticator being set up with its first code.

    On success the device is confirmed, earlier authenticators and backup codes of the
    user are removed, the session counts as verified, and the new backup codes are
    returned (shown once; only they are stored, as they must be compared). Returns None
    when the code is wrong.
    """
    user = request.user
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(pk=device_pk, user=user, confirmed=False)
            .first()
        )
        if device is None or not device.verify_token(_normalise_code(code)):
            log_event(request, "two_factor_setup_failed", level=logging.WARNING)
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_backup_codes(user)
    otp_login(request, device)
    request.session[HAS_DEVICE_KEY] = True
    log_event(request, "two_factor_setup")
    return codes


def new_backup_codes(request):
    """Replace the user's backup codes with new ones and return them (shown once)."""
    with transaction.atomic():
        codes = _new_backup_codes(request.user)
    log_event(request, "two_factor_backup_codes")
    return codes


def _new_backup_codes(user):
    StaticDevice.objects.filter(user=user).delete()
    backup = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME)
    codes = [StaticToken.random_token() for _i in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=backup, token=code) for code in codes)
    return codes


class VerifyResult:
    OK = "ok"
    WRONG = "wrong"
    THROTTLED = "throttled"


def verify(request, code):
    """Check a code from the authenticator or a backup code; a code works once.

    Returns a ``VerifyResult``. Repeated wrong codes make each device wait longer and
    longer before it checks again (django-otp's throttling): ``THROTTLED``.
    """
    user = request.user
    code = _normalise_code(code)
    # Six digits come from the app, anything else is a backup code: each device only
    # sees its own kind, so a backup code does not count as a wrong app code.
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    throttled = False
    with transaction.atomic():
        for device in model.objects.select_for_update().filter(user=user, confirmed=True):
            allowed, _details = device.verify_is_allowed()
            throttled = throttled or not allowed
            if allowed and device.verify_token(code):
                otp_login(request, device)
                # A new session key for the fully logged-in session, as at the password.
                request.session.cycle_key()
                log_event(request, "two_factor_verified", device=model.__name__)
                return VerifyResult.OK
    log_event(request, "two_factor_failed", level=logging.WARNING, throttled=throttled)
    return VerifyResult.THROTTLED if throttled else VerifyResult.WRONG


def remaining_backup_codes(user):
    return StaticToken.objects.filter(device__user=user).count()


def reset(user):
    """Remove the user's authenticators and backup codes (after a lost phone).

    The user must set two-factor login up again at the next request if it is required,
    and any session verified with the removed device no longer counts as verified.
    """
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


class TwoFactorMiddleware:
    """Keeps a logged-in user on the code or set-up page until that step is done.

    Place it after django-otp's OTPMiddleware. Logging out, choosing the language and
    the legal pages (imprint, privacy notice) stay open.
    """

    ALWAYS = {"logout", "set_language", "legal_page", "office_legal_page"}
    ALLOWED = {
        "verify": {"two_factor_verify", *ALWAYS},
        "setup": {"two_factor_setup", *ALWAYS},
    }
    TARGET = {"verify": "two_factor_verify", "setup": "two_factor_setup"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        step = pending_step(request)
        if step is None or request.resolver_match.view_name in self.ALLOWED[step]:
            return None
        return redirect_to_login(request.get_full_path(), reverse(self.TARGET[step]))
