"""The staff's dashboard: the office's work at a glance, each figure a link to its records."""

from django.db.models import Count, Q
from django.views.generic import TemplateView

from groups import verification
from groups.models import Group
from kontaktstelle.accounts.mixins import OfficeStaffRequiredMixin
from kontaktstelle.offices import legal
from kontaktstelle.offices.models import Site
from starters import documents
from starters.models import Certificate, Starter
from starters.selectors import dashboard_figures


class DashboardView(OfficeStaffRequiredMixin, TemplateView):
    template_name = "kontaktstelle/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sites"] = (
            Site.objects.for_user(self.request.user)
            .annotate(room_count=Count("rooms"))
            .order_by("name")
        )
        groups = Group.objects.for_user(self.request.user)
        context["group_counts"] = groups.exclude(status=Group.Status.CLOSED).aggregate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(pk__in=groups.needs_confirmation().values("pk"))),
            **verification.count_filters(),  # the yearly data check's work
        )
        starters = Starter.objects.for_user(self.request.user)
        context["starter_counts"] = starters.aggregate(
            active=Count("pk", filter=Q(status=Starter.Status.ACTIVE)),
            in_training=Count("pk", filter=Q(status=Starter.Status.IN_TRAINING)),
            paused=Count("pk", filter=Q(status=Starter.Status.PAUSED)),
            exchange_overdue=Count("pk", filter=Q(pk__in=starters.exchange_overdue().values("pk"))),
        )
        context["accompaniment_counts"] = dashboard_figures(self.request.user)
        if self.request.user.is_office_admin:
            # The public sees these pages: the office admin is reminded until they are done.
            context["legal_placeholders"] = legal.kinds_with_placeholders(self.request.user.office)
        context["pending_certificates"] = (
            Certificate.objects.for_user(self.request.user)
            .filter(signed_on__isnull=True)
            .select_related("starter__user")[:10]
        )
        # Volunteers' documents due for renewal, expired, or required and missing.
        context["expiring_documents"] = documents.needing_attention(self.request.user.office)
        return context
