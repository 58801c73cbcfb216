"""The founding-interest exchange (Gründungsbörse) for staff (under /intern/)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from groups import exchange, services
from groups.forms import ExchangeFilterForm, NetworkRequestForm, StaffFoundingInterestForm
from kontaktstelle.accounts.mixins import OfficeStaffRequiredMixin


def _exchange_url(near, radius):
    query = {key: value for key, value in (("near", near), ("radius", radius)) if value}
    return f"{reverse('groups:founding_exchange')}?{urlencode(query)}"


class ExchangeView(OfficeStaffRequiredMixin, TemplateView):
    """Per topic, how many consenting people want a group within a radius: the office's
    own, and other offices' only from ``exchange.K_ANONYMITY`` on, never a name."""

    template_name = "groups/founding_exchange.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        office = self.request.user.office
        form = ExchangeFilterForm(self.request.GET or None)
        near, radius, points = form.place(office)
        context.update(
            form=form,
            near=near,
            radius=radius,
            has_place=bool(points),
            counts=exchange.topic_counts(office, exchange.areas_within(points, radius)),
            k=exchange.K_ANONYMITY,
            threshold=office.founding_alert_threshold,
            alert_radius=exchange.ALERT_RADIUS_KM,
            in_network=office.network_id is not None,
        )
        return context


class NetworkRequestView(OfficeStaffRequiredMixin, View):
    """Ask another office to bring people together (POST only): lands in its inbox."""

    def post(self, request):
        form = NetworkRequestForm(request.POST, office=request.user.office)
        if not form.is_valid():
            messages.error(request, _("This request could not be sent. Please try again."))
            return redirect("groups:founding_exchange")
        data = form.cleaned_data
        try:
            services.send_network_request(
                request.user, data["topic"], data["to_office"], data["near"], data["radius"]
            )
        except services.GroupError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Your request on “%(topic)s” is in the inbox of %(office)s.")
                % {"topic": data["topic"], "office": data["to_office"]},
            )
        return redirect(_exchange_url(data["near"], data["radius"]))


class FoundingInterestCreateView(OfficeStaffRequiredMixin, FormView):
    """A founding interest from a phone call or a visit, entered by staff."""

    template_name = "groups/founding_interest_create.html"
    form_class = StaffFoundingInterestForm

    def get_initial(self):
        return {"topic": self.request.GET.get("thema", "")[:200]}

    def form_valid(self, form):
        services.record_founding_interest(self.request.user, form)
        messages.success(self.request, _("The founding interest is in the inbox."))
        return redirect("groups:inbox")
