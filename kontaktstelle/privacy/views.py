"""Data protection pages (under /intern/datenschutz/): a person's export and erasure for the
office admin, and the withdrawal of a consent for staff.

E-mail addresses and phone numbers are sent by POST, so that they do not end up in
addresses, browser histories or server logs.
"""

from django import forms
from django.contrib import messages
from django.core.validators import validate_email
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from groups.models import Group, Inquiry
from kontaktstelle import privacy
from kontaktstelle.accounts.mixins import OfficeAdminRequiredMixin, OfficeStaffRequiredMixin
from kontaktstelle.accounts.models import User
from kontaktstelle.web.fetch import fetch
from starters.models import Starter

ACTION_LABELS = {
    privacy.DELETE: gettext_lazy("deleted"),
    privacy.BLANK: gettext_lazy("kept, with these fields cleared:"),
    privacy.KEEP: gettext_lazy("kept unchanged: they only point at the anonymised person"),
}


class ContactForm(forms.Form):
    """Whom to look for: the e-mail address or phone number the person is known by."""

    contact = forms.CharField(
        label=gettext_lazy("E-mail address or phone number"),
        max_length=254,
        help_text=gettext_lazy(
            "Finds the account of your office with this address and every request, "
            "consent and group contact entry with this address or number."
        ),
    )

    def clean_contact(self):
        contact = self.cleaned_data["contact"].strip()
        if "@" in contact:
            validate_email(contact)
        elif len(privacy.normalise_phone(contact)) < 5:
            raise forms.ValidationError(_("Enter an e-mail address or a phone number."))
        return contact


def _person_context(person):
    summary = privacy.overview(person)
    for entry in summary:
        entry["action_label"] = ACTION_LABELS[entry["action"]]
    return {"person": person, "summary": summary}


def _download(person, document):
    day = timezone.localdate()
    name = (
        f"datenauskunft-konto-{person.user.pk}-{day:%Y-%m-%d}.json"
        if person.user
        else f"datenauskunft-{day:%Y-%m-%d}.json"
    )
    response = HttpResponse(document, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class PrivacyView(OfficeAdminRequiredMixin, View):
    """Look a person up by e-mail or phone, or pick an account of the office."""

    template_name = "kontaktstelle/privacy.html"

    def render_page(self, form, person=None):
        accounts = (
            User.objects.filter(membership__office=self.request.user.office)
            .select_related("membership")
            .order_by("name", "email")
        )
        context = {"form": form, "accounts": accounts}
        if person is not None:
            context |= _person_context(person)
        return render(self.request, self.template_name, context)

    def get(self, request):
        return self.render_page(ContactForm())

    def post(self, request):
        form = ContactForm(request.POST)
        if not form.is_valid():
            return self.render_page(form)
        person = privacy.find_person(request.user.office, form.cleaned_data["contact"])
        if person.user is not None:
            return redirect("privacy_account", pk=person.user.pk)
        return self.render_page(form, person)


class AccountMixin(OfficeAdminRequiredMixin):
    """An account of the admin's own office; anyone else's answers 404."""

    def get_person(self, pk):
        try:
            return privacy.person_for_account(self.request.user.office, pk)
        except User.DoesNotExist:
            raise Http404 from None


class AccountView(AccountMixin, View):
    def get(self, request, pk):
        return render(
            request, "kontaktstelle/privacy_person.html", _person_context(self.get_person(pk))
        )


class AccountExportView(AccountMixin, View):
    """The JSON download (a POST: every export is written to the audit trail)."""

    def post(self, request, pk):
        person = self.get_person(pk)
        return _download(person, privacy.record_export(request.user, person))


class AccountEraseView(AccountMixin, View):
    """Say what will happen (GET), then erase (POST)."""

    template_name = "kontaktstelle/privacy_erase.html"

    def get(self, request, pk):
        return render(request, self.template_name, _person_context(self.get_person(pk)))

    def post(self, request, pk):
        person = self.get_person(pk)
        try:
            privacy.erase(request.user, person)
        except privacy.PrivacyError as error:
            messages.error(request, str(error))
            return redirect("privacy_account", pk=pk)
        messages.success(request, _("The person's data was erased."))
        return redirect("privacy")


class VisitorMixin(OfficeAdminRequiredMixin):
    """A person without an account, known by the e-mail address or phone in the POST."""

    def get_person(self):
        form = ContactForm(self.request.POST)
        if not form.is_valid():
            raise Http404
        person = privacy.find_person(self.request.user.office, form.cleaned_data["contact"])
        if person.user is not None:  # accounts are exported and erased on their own page
            raise Http404
        return person


class VisitorExportView(VisitorMixin, View):
    def post(self, request):
        person = self.get_person()
        return _download(person, privacy.record_export(request.user, person))


class VisitorEraseView(VisitorMixin, View):
    """The first POST asks for confirmation, the second (with ``confirmed``) erases."""

    def post(self, request):
        person = self.get_person()
        if "confirmed" not in request.POST:
            return render(request, "kontaktstelle/privacy_erase.html", _person_context(person))
        privacy.erase(request.user, person)
        messages.success(request, _("The person's data was erased."))
        return redirect("privacy")


# The consents staff can withdraw: address part -> model, and where to go back to.
WITHDRAWABLE = {
    "gruppe": (Group, lambda group: group.get_absolute_url()),
    "igs": (Starter, lambda starter: starter.get_absolute_url()),
    "anfrage": (Inquiry, lambda inquiry: reverse("groups:inbox")),
}


class ConsentWithdrawView(OfficeStaffRequiredMixin, View):
    """Record the withdrawal of a consent: confirm (GET), then withdraw at once (POST)."""

    template_name = "kontaktstelle/consent_withdraw.html"

    def get_subject(self, kind, pk):
        if kind not in WITHDRAWABLE:
            raise Http404
        model, back = WITHDRAWABLE[kind]
        subject = fetch(model.objects, self.request.user, pk=pk)
        return subject, back(subject)

    def get(self, request, kind, pk):
        subject, back = self.get_subject(kind, pk)
        return render(
            request,
            self.template_name,
            {"subject": subject, "kind": kind, "back": back, "consents": subject.consents.all()},
        )

    def post(self, request, kind, pk):
        subject, back = self.get_subject(kind, pk)
        try:
            privacy.withdraw_consent(request.user, subject)
        except privacy.PrivacyError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The withdrawal was recorded and applies from now on."))
        return redirect(back)
