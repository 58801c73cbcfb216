"""Asking for a new password: a brake on the e-mails, and an outbox so none is lost.

Anyone can ask, without logging in, so the e-mails are limited: at most
``PASSWORD_RESETS_PER_ADDRESS`` per e-mail address and ``PASSWORD_RESETS_PER_IP`` per
client IP address within an hour. Beyond that the page answers exactly as it does for
any address (so it tells nobody whether an account exists) but sends nothing, and the
security log records the refusal. The e-mail goes through the outbox: a mail server
that is down or slow delays it, it does not lose it or fail the page.
"""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.template import loader

from kontaktstelle.accounts.login_security import normalise_email
from kontaktstelle.accounts.security_log import log_event
from kontaktstelle.notifications import outbox
from kontaktstelle.web import rate_limits
from kontaktstelle.web.clients import client_ip

PASSWORD_RESETS_PER_ADDRESS = 3
PASSWORD_RESETS_PER_IP = 20


class PasswordResetForm(auth_forms.PasswordResetForm):
    def save(self, *args, request=None, **kwargs):
        allowed = rate_limits.take(
            (
                "password-reset-address",
                normalise_email(self.cleaned_data["email"]),
                PASSWORD_RESETS_PER_ADDRESS,
            ),
            ("password-reset-ip", client_ip(request) or "-", PASSWORD_RESETS_PER_IP),
        )
        if not allowed:
            log_event(request, "password_reset_refused", level=logging.WARNING)
            return
        super().save(*args, request=request, **kwargs)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = loader.render_to_string(subject_template_name, context)
        body = loader.render_to_string(email_template_name, context)
        valid_for = datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
        # Sent at once: a reset link depends on no row of this request.
        outbox.send(to_email, "".join(subject.splitlines()), body, valid_for, after_commit=False)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
