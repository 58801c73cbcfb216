"""Staff pages of starters (In-Gang-Setzer:innen) and their certificates (under /intern/)."""

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import DetailView, ListView, View

from kontaktstelle.accounts.invitations import send_invitation
from kontaktstelle.accounts.mixins import OfficeStaffRequiredMixin
from kontaktstelle.accounts.models import Invitation
from kontaktstelle.notifications import outbox
from kontaktstelle.web.fetch import fetch
from kontaktstelle.web.mixins import FilteredListMixin
from starters import documents, expenses, meeting_logs, services
from starters.forms import (
    AvailabilityFormSet,
    CertificateRequestForm,
    StarterFilterForm,
    StarterForm,
)
from starters.mixins import StaffStarterMixin
from starters.models import (
    Assignment,
    Certificate,
    Language,
    Qualification,
)
from starters.selectors import certificate_context


class StarterListView(StaffStarterMixin, FilteredListMixin, ListView):
    template_name = "starters/starter_list.html"
    context_object_name = "starters"
    paginate_by = 50

    filter_form_class = StarterFilterForm

    def get_filter_form_kwargs(self):
        return {"office": self.request.user.office}

    def get_queryset(self):
        queryset = (
            super()
            .get_queryset()
            .with_free_capacity()
            .with_last_exchange()
            .prefetch_related(
                Prefetch("qualifications", queryset=Qualification.objects.order_by("name")),
                Prefetch("languages", queryset=Language.objects.order_by("name")),
            )
            .order_by("user__name")
        )
        return self.filtered(queryset)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["exchange_due_since"] = timezone.localdate().replace(
            year=timezone.localdate().year - 1
        )
        return context


class StarterDetailView(StaffStarterMixin, DetailView):
    """The whole record: profile, training history, certificates, invitation."""

    template_name = "starters/starter_detail.html"
    context_object_name = "starter"

    def get_queryset(self):
        return (
            documents.with_documents(super().get_queryset())
            .with_free_capacity()
            .with_record()
            .prefetch_related(
                "excluded_topics",
                Prefetch("certificates", queryset=Certificate.objects.select_related("signed_by")),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        starter = self.object
        start, end = services.year_bounds()
        context["year"] = start.year
        context["summary"] = services.activity_summary(starter, start, end)
        context["invitation"] = Invitation.objects.filter(user=starter.user).first()
        context["assignments"] = meeting_logs.with_logged_assignments(
            starter.assignments.exclude(
                state__in=[Assignment.State.DECLINED, Assignment.State.WITHDRAWN]
            )
        )
        context["rows"] = expenses.monthly(starter, start.year)
        context["totals"] = expenses.totals(context["rows"])
        context["km_rate"] = expenses.km_rate()
        context["documents"] = documents.documents_of(starter)
        return context


@method_decorator(sensitive_post_parameters(), name="dispatch")
class StarterFormView(StaffStarterMixin, View):
    """Create (then invite) or edit a starter, with their weekly availability."""

    template_name = "starters/starter_form.html"

    def get_object(self, pk):
        return fetch(self.get_queryset(), self.request.user, pk=pk) if pk else None

    def render_form(self, form, formset, starter):
        return render(
            self.request,
            self.template_name,
            {"form": form, "formset": formset, "starter": starter},
        )

    def get(self, request, pk=None):
        starter = self.get_object(pk)
        form = StarterForm(instance=starter, office=request.user.office)
        formset = AvailabilityFormSet(instance=starter, prefix="availability")
        return self.render_form(form, formset, starter)

    def post(self, request, pk=None):
        starter = self.get_object(pk)
        form = StarterForm(request.POST, instance=starter, office=request.user.office)
        formset = AvailabilityFormSet(request.POST, instance=starter, prefix="availability")
        if not (form.is_valid() and formset.is_valid()):
            return self.render_form(form, formset, starter)
        if starter is None:
            starter = services.create_starter(
                request.user, form, formset, request.build_absolute_uri
            )
            messages.success(
                request,
                _("%(name)s was added and invited by e-mail to %(email)s.")
                % {"name": starter.name, "email": starter.email},
            )
            _warn_if_invitation_waits(request, starter)
        else:
            services.save_profile(request.user, form, formset)
            messages.success(request, _("Your changes were saved."))
        return redirect(starter)


class StarterInviteView(StaffStarterMixin, View):
    """Send a new invitation link; the previous one stops working."""

    def post(self, request, pk):
        starter = fetch(self.get_queryset(), request.user, pk=pk)
        if starter.user.has_usable_password():
            messages.error(
                request,
                _(
                    "%(name)s has already set a password. If it is forgotten, they can "
                    "reset it on the login page."
                )
                % {"name": starter.name},
            )
        else:
            send_invitation(starter.user, request.user, request.build_absolute_uri)
            messages.success(
                request, _("A new invitation was sent to %(email)s.") % {"email": starter.email}
            )
            _warn_if_invitation_waits(request, starter)
        return redirect(starter)


def _warn_if_invitation_waits(request, starter):
    """The mail server did not take the invitation: say so; the outbox tries again."""
    if not outbox.deliver_to(starter.email):
        messages.warning(
            request,
            _(
                "The invitation could not be sent to %(email)s just now, because the mail "
                "server is not answering. It will be sent automatically as soon as the "
                "server answers again; you can also send it again here later."
            )
            % {"email": starter.email},
        )


class CertificateCreateView(StaffStarterMixin, View):
    """Staff prepare a certificate for a period; it is signed off on the next page."""

    template_name = "starters/certificate_request.html"

    def get(self, request, pk):
        starter = fetch(self.get_queryset(), request.user, pk=pk)
        form = CertificateRequestForm()
        return render(request, self.template_name, {"form": form, "starter": starter})

    def post(self, request, pk):
        starter = fetch(self.get_queryset(), request.user, pk=pk)
        form = CertificateRequestForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "starter": starter})
        certificate = services.request_certificate(
            starter, form.cleaned_data["period_start"], form.cleaned_data["period_end"]
        )
        return redirect("starters:certificate_detail", pk=certificate.pk)


class CertificateMixin(OfficeStaffRequiredMixin):
    def get_queryset(self):
        return Certificate.objects.select_related("starter__user", "starter__office", "signed_by")


class CertificateDetailView(CertificateMixin, View):
    """The printable certificate; unsigned, a preview with the figures as of today."""

    def get(self, request, pk):
        certificate = fetch(self.get_queryset(), request.user, pk=pk)
        return render(request, "starters/certificate.html", certificate_context(certificate))


class CertificateSignView(CertificateMixin, View):
    def post(self, request, pk):
        certificate = fetch(self.get_queryset(), request.user, pk=pk)
        try:
            services.sign_certificate(request.user, certificate)
        except services.StarterError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The certificate was signed off."))
        return redirect("starters:certificate_detail", pk=pk)
