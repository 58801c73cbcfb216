"""The starter's own area (/mein-bereich/): only their own record, never anyone else's."""

from datetime import time, timedelta

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import TemplateView, View

from kontaktstelle.web.fetch import fetch
from starters import documents, expenses, meeting_logs, services
from starters.forms import AnswerForm, AvailabilityFormSet, CertificateRequestForm, ProfileForm
from starters.mixins import OwnStarterMixin
from starters.models import (
    Accompaniment,
    Assignment,
    Certificate,
    MeetingLog,
    Starter,
)
from starters.notifications import offer_details
from starters.selectors import certificate_context, meeting_context


class HomeView(OwnStarterMixin, TemplateView):
    template_name = "starters/own_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        starter = (
            documents.with_documents(Starter.objects.filter(pk=self.starter.pk)).with_record().get()
        )
        start, end = services.year_bounds()
        context["starter"] = starter
        context["year"] = start.year
        context["summary"] = services.activity_summary(starter, start, end)
        assignments = list(
            starter.assignments.exclude(
                state__in=[Assignment.State.WITHDRAWN, Assignment.State.DECLINED]
            )
            .select_related("accompaniment__group", "accompaniment__responsible")
            .prefetch_related(
                Prefetch(
                    "accompaniment__meeting_logs",
                    queryset=MeetingLog.objects.order_by("held_on", "starts_at"),
                )
            )
            .order_by("-offered_at")
        )
        context["assignments"] = assignments
        context |= home_sections(assignments)
        context["rows"] = expenses.monthly(starter, start.year)
        context["totals"] = expenses.totals(context["rows"])
        context["km_rate"] = expenses.km_rate()
        context["documents"] = documents.documents_of(starter)
        return context


def home_sections(assignments):
    """A starter's assignments as their home shows them: open offers, running
    accompaniments with their next meetings in date order, finished ones, contacts."""
    offers, running, finished, upcoming, to_log, contacts = [], [], [], [], [], {}
    today = timezone.localdate()
    for assignment in assignments:
        accompaniment = assignment.accompaniment
        if assignment.state == Assignment.State.OFFERED and accompaniment.is_open:
            offers.append(assignment)
        elif (
            assignment.state == Assignment.State.ACCEPTED
            and accompaniment.status == Accompaniment.Status.ACTIVE
        ):
            running.append(assignment)
            logs = accompaniment.meeting_logs.all()
            assignment.logged = len(logs)
            date = meeting_logs.next_meeting(accompaniment, logs[len(logs) - 1] if logs else None)
            if date is not None and date < today:
                # The agreed date passed without a log: to log, and the next one ahead.
                to_log.append((date, assignment))
                date = (
                    meeting_logs.weekday_after(
                        today - timedelta(days=1), accompaniment.meeting_weekday
                    )
                    if accompaniment.meeting_weekday is not None
                    else None
                )
            if date is not None:
                upcoming.append((date, assignment))
        else:
            finished.append(assignment)
            continue
        contacts.setdefault(accompaniment.responsible_id, accompaniment.responsible)
    upcoming.sort(key=lambda item: (item[0], item[1].accompaniment.meeting_time or time.min))
    return {
        "offers": offers,
        "running": running,
        "finished": finished,
        "upcoming": upcoming,
        "to_log": to_log,
        "contacts": list(contacts.values()),
    }


@method_decorator(sensitive_post_parameters(), name="dispatch")
class ProfileEditView(OwnStarterMixin, View):
    template_name = "starters/own_profile_form.html"

    def forms(self, data=None):
        return (
            ProfileForm(data, instance=self.starter, office=self.starter.office),
            AvailabilityFormSet(data, instance=self.starter, prefix="availability"),
        )

    def get(self, request):
        form, formset = self.forms()
        return render(request, self.template_name, {"form": form, "formset": formset})

    def post(self, request):
        form, formset = self.forms(request.POST)
        if not (form.is_valid() and formset.is_valid()):
            return render(request, self.template_name, {"form": form, "formset": formset})
        services.save_profile(request.user, form, formset)
        messages.success(request, _("Your changes were saved."))
        return redirect("starters:home")


class CertificateListView(OwnStarterMixin, View):
    """Their certificates and a form to ask the office for one."""

    template_name = "starters/own_certificates.html"

    def render_page(self, form):
        certificates = self.starter.certificates.select_related("signed_by")
        return render(
            self.request,
            self.template_name,
            {"form": form, "certificates": certificates, "starter": self.starter},
        )

    def get(self, request):
        return self.render_page(CertificateRequestForm())

    def post(self, request):
        form = CertificateRequestForm(request.POST)
        if not form.is_valid():
            return self.render_page(form)
        certificate = services.request_certificate(
            self.starter, form.cleaned_data["period_start"], form.cleaned_data["period_end"]
        )
        messages.success(
            request,
            _("Your office has been asked to sign off the certificate. You can print it then."),
        )
        return redirect("starters:own_certificate", pk=certificate.pk)


class CertificateView(OwnStarterMixin, View):
    def get(self, request, pk):
        certificate = fetch(
            Certificate.objects.select_related("starter__user", "starter__office", "signed_by"),
            request.user,
            pk=pk,
        )
        return render(request, "starters/certificate.html", certificate_context(certificate))


class OfferView(OwnStarterMixin, View):
    """An offer made to this starter: what they need to know, accept or decline."""

    template_name = "starters/own_offer.html"

    def get_queryset(self):
        return Assignment.objects.select_related(
            "accompaniment__group",
            "accompaniment__responsible",
            "accompaniment__language",
            "accompaniment__office",
        )

    def get(self, request, pk):
        assignment = fetch(self.get_queryset(), request.user, pk=pk)
        context = {"form": AnswerForm()}
        if assignment.state in meeting_logs.ON_IT:
            context |= meeting_context(assignment.accompaniment, request.user)
        context |= offer_details(assignment)  # its partners: the others, by first name
        return render(request, self.template_name, context)

    def post(self, request, pk):
        assignment = fetch(self.get_queryset(), request.user, pk=pk)
        form = AnswerForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        accept = request.POST.get("answer") == "accept"
        try:
            services.answer_offer(self.starter, assignment, accept, reason)
        except services.StarterError as error:
            messages.error(request, str(error))
            return redirect("starters:own_offer", pk=pk)
        if accept:
            messages.success(request, _("Thank you! The office knows you take it on."))
        else:
            messages.success(
                request, _("Thank you for your answer. The office will ask someone else.")
            )
        return redirect("starters:home")
