"""Pages of the two-factor login: set-up, the code after the password, backup codes."""

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from kontaktstelle.accounts import invitations, two_factor
from kontaktstelle.accounts.forms import LoginForm


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, numeric=False, help_text="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = help_text
        if numeric:
            self.fields["code"].widget.attrs["inputmode"] = "numeric"


def _next_url(request):
    """Where to go when the step is done: ``next`` if it is on this site."""
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home_for_user")


def _without_navigation_if(pending):
    # While a step is pending every link would lead back here; the page offers logout.
    return {"nav_user": None} if pending else {}


@never_cache
@sensitive_post_parameters("code")
def setup(request):
    """Set up an authenticator app; once set up, show its state."""
    user = request.user
    if user.is_verified():
        return render(
            request,
            "registration/two_factor_status.html",
            {
                "backup_codes_left": two_factor.remaining_backup_codes(user),
                "required": two_factor.is_required(user),
            },
        )
    if two_factor.has_device(user):
        # A session from before the device was confirmed elsewhere: the code first.
        request.session[two_factor.HAS_DEVICE_KEY] = True
        return redirect_to_login(request.get_full_path(), reverse("two_factor_verify"))
    device = two_factor.unconfirmed_device(user)
    form = CodeForm(
        request.POST or None,
        numeric=True,
        help_text=_("The six-digit code your app shows now."),
    )
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_device(request, device.pk, form.cleaned_data["code"])
        if codes is not None:
            messages.success(request, _("Two-factor login is set up."))
            return render(
                request,
                "registration/two_factor_backup_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
        form.add_error(
            "code",
            _("This code is not correct. Check the time on your phone and enter the newest code."),
        )
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr_code": two_factor.qr_code_svg(device),
            "secret": two_factor.secret_text(device),
            "required": two_factor.is_required(user),
            "next": request.POST.get("next") or request.GET.get("next", ""),
            **_without_navigation_if(two_factor.is_required(user)),
        },
    )


@never_cache
@require_POST
def new_backup_codes(request):
    """Replace the backup codes of a user whose session is verified; shown once."""
    if not request.user.is_verified():
        return redirect("two_factor_setup")
    codes = two_factor.new_backup_codes(request)
    return render(
        request,
        "registration/two_factor_backup_codes.html",
        {"codes": codes, "next": reverse("two_factor_setup")},
    )


@never_cache
@sensitive_post_parameters("code")
def verify(request):
    """The second step of the login: a code from the app or a backup code."""
    next_url = _next_url(request)
    if two_factor.pending_step(request) != "verify":
        return redirect(next_url)
    form = CodeForm(
        request.POST or None,
        help_text=_("The six-digit code from your authenticator app, or one of your backup codes."),
    )
    if request.method == "POST" and form.is_valid():
        result = two_factor.verify(request, form.cleaned_data["code"])
        if result == two_factor.VerifyResult.OK:
            return redirect(next_url)
        if result == two_factor.VerifyResult.THROTTLED:
            form.add_error("code", _("Too many wrong codes. Please wait a moment and try again."))
        else:
            form.add_error("code", _("This code is not correct or was already used."))
    return render(
        request,
        "registration/two_factor_verify.html",
        {
            "form": form,
            "next": request.POST.get("next") or request.GET.get("next", ""),
            **_without_navigation_if(True),
        },
    )


def home_for_user(request):
    """Where a user lands after login: the area of their role."""
    user = request.user
    if user.is_office_staff:
        return redirect("dashboard")
    if user.is_starter:
        return redirect("starters:home")
    if user.is_coordinator:
        return redirect("network_overview")
    if user.is_superuser:
        return redirect("admin:index")
    return render(request, "kontaktstelle/no_role.html", status=403)


@login_not_required
@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def accept_invitation(request, token):
    """Set the first password through an invitation link, then log in."""
    try:
        invitation = invitations.get_usable_invitation(token)
    except invitations.InvitationError as error:
        return render(request, "registration/invitation_invalid.html", {"error": error}, status=410)
    form = SetPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitations.accept_invitation(token, form)
        except invitations.InvitationError as error:
            return render(
                request, "registration/invitation_invalid.html", {"error": error}, status=410
            )
        login(request, user)
        messages.success(request, _("Your password is set. Welcome!"))
        return redirect("home_for_user")
    return render(
        request,
        "registration/invitation_accept.html",
        {"form": form, "invited_user": invitation.user},
    )


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True
