"""Applications as In-Gang-Setzer:in: the public form, and the staff's pipeline and e-mail
texts (under /intern/bewerbungen/)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, ListView, TemplateView, View

from groups.directory import accept
from kontaktstelle.accounts.mixins import OfficeStaffRequiredMixin
from kontaktstelle.offices.selectors import public_office
from kontaktstelle.web.fetch import fetch
from kontaktstelle.web.mixins import FilteredListMixin
from starters import application_emails
from starters.forms import (
    ApplicationFilterForm,
    ApplicationForm,
    EmailTextForm,
    InterviewForm,
    RejectForm,
    TrainingForm,
)
from starters.models import ApplicationStatus, VolunteerApplication
from starters.services import StarterError
from starters.services import applications as services

# Public ------------------------------------------------------------------------------


@method_decorator(login_not_required, name="dispatch")
@method_decorator(sensitive_post_parameters(), name="dispatch")
class ApplyView(FormView):
    """ "In-Gang-Setzer:in werden": the role, the training, and the application form.

    The office is the one in the address, else the one the installation shows.
    """

    template_name = "starters/apply.html"
    form_class = ApplicationForm

    def dispatch(self, request, *args, slug=None, **kwargs):
        self.office = public_office(slug)
        if self.office is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("office", self.office)
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if accept(request, form):
            services.receive_application(form, self.office)
            return redirect("starters:apply_thanks")
        return self.form_invalid(form)


@login_not_required
def apply_thanks(request):
    return render(request, "starters/apply_thanks.html")


# Staff -------------------------------------------------------------------------------


class ApplicationMixin(OfficeStaffRequiredMixin):
    def get_queryset(self):
        return VolunteerApplication.objects.for_user(self.request.user).select_related(
            "cohort", "starter"
        )


class ApplicationListView(ApplicationMixin, FilteredListMixin, ListView):
    """The pipeline: applications by step, with the number at each step."""

    template_name = "starters/application_list.html"
    context_object_name = "applications"
    paginate_by = 50
    filter_form_class = ApplicationFilterForm

    def get_queryset(self):
        return self.filtered(super().get_queryset().order_by("-created_at", "-pk"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = dict(
            VolunteerApplication.objects.for_user(self.request.user)
            .values_list("status")
            .annotate(count=Count("pk"))
            .order_by()
        )
        chosen = self.filter_form.cleaned_data.get("status") if self.filter_form.is_valid() else ""
        context["steps"] = [
            {
                "value": value,
                "label": label,
                "count": counts.get(value, 0),
                "chosen": chosen == value,
            }
            for value, label in ApplicationStatus.choices
        ]
        context["total"] = sum(counts.values())
        context["chosen"] = chosen
        return context


def _detail(request, application, status=200, **forms):
    """The application's page with the form of its next step (``forms`` when invalid)."""
    if application.status == ApplicationStatus.APPLIED:
        forms.setdefault("interview_form", InterviewForm())
    elif application.status == ApplicationStatus.INTERVIEW:
        forms.setdefault("training_form", TrainingForm(office=request.user.office))
    return render(
        request,
        "starters/application_detail.html",
        {"application": application, **forms},
        status=status,
    )


class ApplicationDetailView(ApplicationMixin, View):
    """An application with its steps so far and the form of the next one."""

    def get(self, request, pk):
        return _detail(request, fetch(self.get_queryset(), request.user, pk=pk))


class ApplicationStepView(ApplicationMixin, View):
    """Move an application to its next step: interview, training or active."""

    STEPS = {"gespraech", "schulung", "aktiv"}

    def post(self, request, pk, step):
        if step not in self.STEPS:
            raise Http404
        application = fetch(self.get_queryset(), request.user, pk=pk)
        try:
            form = self._move(request, application, step)
        except StarterError as error:
            messages.error(request, str(error))
        else:
            if form is not None:  # invalid: the page again, with the form's errors
                return _detail(request, application, status=400, **form)
        return redirect(application)

    def _move(self, request, application, step):
        """Make the move, or return the invalid form (as a context entry)."""
        if step == "gespraech":
            form = InterviewForm(request.POST)
            if not form.is_valid():
                return {"interview_form": form}
            services.arrange_interview(request.user, application, form.cleaned_data["interview_at"])
            messages.success(request, _("The interview was arranged; the applicant was told."))
        elif step == "schulung":
            form = TrainingForm(request.POST, office=request.user.office)
            if not form.is_valid():
                return {"training_form": form}
            services.start_training(request.user, application, form.cleaned_data["cohort"])
            messages.success(request, _("The applicant joined the training cohort and was told."))
        else:
            application = services.activate(request.user, application, request.build_absolute_uri)
            messages.success(
                request,
                _("%(name)s is now an active In-Gang-Setzer:in and was invited by e-mail.")
                % {"name": application.name},
            )
        return None


class ApplicationRejectView(ApplicationMixin, View):
    """Decline an application, after confirming, with a reason."""

    template_name = "starters/application_reject.html"

    def get(self, request, pk):
        application = fetch(self.get_queryset(), request.user, pk=pk)
        return render(
            request, self.template_name, {"application": application, "form": RejectForm()}
        )

    def post(self, request, pk):
        application = fetch(self.get_queryset(), request.user, pk=pk)
        form = RejectForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"application": application, "form": form})
        try:
            services.reject(request.user, application, form.cleaned_data["reason"])
        except StarterError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The application was declined; the applicant was told."))
        return redirect(application)


# E-mail texts -------------------------------------------------------------------------


def _step(step):
    if step not in ApplicationStatus.values:
        raise Http404
    return ApplicationStatus(step)


class EmailTextListView(OfficeStaffRequiredMixin, TemplateView):
    """The e-mail of each step as the office sends it now."""

    template_name = "starters/application_texts.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        office = self.request.user.office
        own = set(office.application_email_texts.values_list("step", flat=True))
        context["texts"] = [
            {
                "step": step,
                "subject": application_emails.preview(office, step)[0],
                "own": step.value in own,
            }
            for step in ApplicationStatus
        ]
        return context


class EmailTextEditView(OfficeStaffRequiredMixin, View):
    """Edit a step's e-mail, with the placeholders explained and a preview; or reset it."""

    template_name = "starters/application_text_form.html"

    def render_form(self, request, step, form):
        office = request.user.office
        subject, body = application_emails.preview(office, step)
        return render(
            request,
            self.template_name,
            {
                "step": step,
                "form": form,
                "placeholders": application_emails.PLACEHOLDERS,
                "preview_subject": subject,
                "preview_body": body,
                "own": office.application_email_texts.filter(step=step).exists(),
            },
        )

    def get(self, request, step):
        step = _step(step)
        subject, body = application_emails.text_for(request.user.office, step)
        return self.render_form(
            request, step, EmailTextForm(initial={"subject": subject, "body": body})
        )

    def post(self, request, step):
        step = _step(step)
        if request.POST.get("action") == "reset":
            services.reset_email_text(request.user, step)
            messages.success(request, _("The e-mail is back to the shipped text."))
            return redirect("starters:application_texts")
        form = EmailTextForm(request.POST)
        if not form.is_valid():
            return self.render_form(request, step, form)
        services.save_email_text(
            request.user, step, form.cleaned_data["subject"], form.cleaned_data["body"]
        )
        messages.success(request, _("Saved."))
        return redirect("starters:application_texts")
