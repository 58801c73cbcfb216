"""The yearly data check (Datenabgleich): staff's queue, review and calls; the link's page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView, View

from groups import verification
from groups.forms.verification import CallForm, ConfirmGroupsForm, ReviewForm, SelfServiceForm
from groups.models import Group, Topic, Verification
from groups.services import GroupError
from kontaktstelle.accounts.mixins import OfficeStaffRequiredMixin
from kontaktstelle.web.fetch import fetch


def _back(request, default):
    """Where to return after a POST: a staff page of the groups, else ``default``."""
    back = request.POST.get("next", "")
    return back if back.startswith(reverse("groups:group_list")) else default


class ConfirmGroupsView(OfficeStaffRequiredMixin, View):
    """Mark one group (its page) or many (the list, ticked) as confirmed today (POST)."""

    def post(self, request):
        form = ConfirmGroupsForm(request.POST, user=request.user)
        back = _back(request, reverse("groups:group_list"))
        if not form.is_valid():
            for error in form.errors.get("groups", []):
                messages.error(request, error)
            return redirect(back)
        count = verification.confirm_groups(request.user, form.cleaned_data["groups"])
        messages.success(
            request,
            ngettext(
                "%(count)s group marked as confirmed today.",
                "%(count)s groups marked as confirmed today.",
                count,
            )
            % {"count": count},
        )
        return redirect(back)


class VerificationQueueView(OfficeStaffRequiredMixin, TemplateView):
    """Everything of the yearly check at a glance: answers to review, no answer, calls."""

    template_name = "groups/verification_queue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        checks = Verification.objects.for_user(user).select_related("group")
        context["to_review"] = checks.to_review().order_by("answered_at")
        context["unanswered"] = checks.unanswered().order_by("created_at")
        context["waiting"] = (
            checks.waiting().exclude(pk__in=checks.unanswered().values("pk")).order_by("expires_at")
        )
        context["to_call"] = (
            verification.due_groups()
            .filter(office=user.office, contact_email="")
            .order_by("last_confirmed_on", "name")
        )
        context["overdue_count"] = (
            Group.objects.for_user(user).needs_confirmation().aggregate(n=Count("pk"))["n"]
        )
        context["email_checks"] = settings.VERIFICATION_EMAILS
        context["now"] = timezone.now()
        return context


class VerificationReviewView(OfficeStaffRequiredMixin, View):
    """A contact person's answer beside the entry: staff take it over field by field."""

    template_name = "groups/verification_review.html"

    def get_check(self, request, pk):
        return fetch(Verification.objects.to_review().select_related("group"), request.user, pk=pk)

    def render_page(self, check, form):
        return render(
            self.request,
            self.template_name,
            {"check": check, "group": check.group, "form": form, "rows": self.rows},
        )

    def get(self, request, pk):
        check = self.get_check(request, pk)
        self.rows = verification.proposed_rows(check)
        return self.render_page(check, ReviewForm(rows=self.rows))

    def post(self, request, pk):
        check = self.get_check(request, pk)
        self.rows = verification.proposed_rows(check)
        form = ReviewForm(request.POST, rows=self.rows)
        if form.is_valid():
            try:
                group = verification.review(request.user, check, form.cleaned_data["accepted"])
            except GroupError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("The answer of “%(group)s” was taken over; the data is confirmed.")
                    % {"group": group.name},
                )
                return redirect("groups:verification_queue")
        return self.render_page(check, form)


class CallView(OfficeStaffRequiredMixin, View):
    """Record what a group said on the phone (a group without e-mail address)."""

    template_name = "groups/verification_call.html"

    def get_group(self, request, pk):
        return fetch(Group.objects.exclude(status=Group.Status.CLOSED), request.user, pk=pk)

    def get(self, request, pk):
        group = self.get_group(request, pk)
        return render(request, self.template_name, {"group": group, "form": CallForm()})

    def post(self, request, pk):
        group = self.get_group(request, pk)
        form = CallForm(request.POST)
        if form.is_valid():
            try:
                verification.record_call(
                    request.user,
                    group,
                    form.cleaned_data["still_meets"],
                    form.cleaned_data["consent_renewed"],
                )
            except GroupError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("The call with “%(group)s” was recorded; the data is confirmed.")
                    % {"group": group.name},
                )
                return redirect("groups:verification_queue")
        return render(request, self.template_name, {"group": group, "form": form})


@method_decorator(login_not_required, name="dispatch")
@method_decorator(never_cache, name="dispatch")
class SelfServiceView(View):
    """The page a group's contact person reaches by the link in the yearly e-mail.

    No account: the one-time link is the key. The page shows the public entry to
    confirm or correct; nothing here is cached or shown to anyone else.
    """

    template_name = "groups/self_service.html"

    def check_or_error(self, token):
        try:
            return verification.usable(token), None
        except verification.VerificationError as error:
            return None, str(error)

    def render_page(self, request, check, form, status=200):
        topics = Topic.objects.filter(groups=check.group).order_by("name")
        return render(
            request,
            self.template_name,
            {"check": check, "group": check.group, "form": form, "topics": topics},
            status=status,
        )

    def invalid(self, request, message):
        return render(request, "groups/self_service_invalid.html", {"message": message}, status=410)

    def get(self, request, token):
        check, error = self.check_or_error(token)
        if error:
            return self.invalid(request, error)
        form = SelfServiceForm(
            instance=check.group,
            initial={"still_meets": Verification.Meets.YES, "consent": True},
        )
        return self.render_page(request, check, form)

    def post(self, request, token):
        check, error = self.check_or_error(token)
        if error:
            return self.invalid(request, error)
        form = SelfServiceForm(request.POST, instance=check.group)
        if not form.is_valid():
            return self.render_page(request, check, form, status=422)
        try:
            answered = verification.answer(
                token,
                form.cleaned_data["still_meets"],
                form.cleaned_data["consent"],
                form.changes(),
            )
        except verification.VerificationError as error:
            return self.invalid(request, str(error))
        return render(
            request,
            "groups/self_service_done.html",
            {"group": check.group, "office": check.group.office, "check": answered},
        )
