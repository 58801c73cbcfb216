from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import DatabaseError, connection
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import DetailView, ListView, TemplateView, View

from groups.models import Group, Inquiry
from kontaktstelle import invitations, notifications
from kontaktstelle.forms import LoginForm, NotificationSettingsForm
from kontaktstelle.mixins import OfficeStaffRequiredMixin
from kontaktstelle.models import Notification, Office, Room, Site
from starters.models import Certificate, Starter
from starters.views.accompaniments import dashboard_figures


def public_office(slug=None):
    """The office of a public page: by its slug (404 if unknown), else the configured one."""
    offices = Office.objects.prefetch_related(
        Prefetch("sites", queryset=Site.objects.order_by("name"))
    )
    if slug:
        return get_object_or_404(offices, slug=slug)
    if settings.PUBLIC_OFFICE_SLUG:
        return offices.filter(slug=settings.PUBLIC_OFFICE_SLUG).first()
    return offices.order_by("pk").first()


@login_not_required
def home(request, slug=None):
    """The public start page of an office: search box, sites, opening hours."""
    office = public_office(slug)
    return render(request, "kontaktstelle/home.html", {"office": office})


@login_not_required
def healthz(request):
    """200 while the database answers, 503 when it does not (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


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
        )
        context["new_inquiries"] = (
            Inquiry.objects.for_user(self.request.user).filter(status=Inquiry.Status.NEW).count()
        )
        starters = Starter.objects.for_user(self.request.user)
        context["starter_counts"] = starters.aggregate(
            active=Count("pk", filter=Q(status=Starter.Status.ACTIVE)),
            in_training=Count("pk", filter=Q(status=Starter.Status.IN_TRAINING)),
            paused=Count("pk", filter=Q(status=Starter.Status.PAUSED)),
            exchange_overdue=Count("pk", filter=Q(pk__in=starters.exchange_overdue().values("pk"))),
        )
        context["accompaniment_counts"] = dashboard_figures(self.request.user)
        context["pending_certificates"] = (
            Certificate.objects.for_user(self.request.user)
            .filter(signed_on__isnull=True)
            .select_related("starter__user")[:10]
        )
        return context


class SiteDetailView(OfficeStaffRequiredMixin, DetailView):
    template_name = "kontaktstelle/site_detail.html"
    context_object_name = "site"

    def get_queryset(self):
        return Site.objects.for_user(self.request.user).prefetch_related(
            Prefetch("rooms", queryset=Room.objects.order_by("name"))
        )


class NotificationListView(LoginRequiredMixin, ListView):
    """The user's own notifications, newest first; opening the page marks them read."""

    template_name = "kontaktstelle/notifications.html"
    context_object_name = "notifications"
    paginate_by = 30

    def get_queryset(self):
        return Notification.objects.filter(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Shown as new on this visit, read from now on.
        context["unread_ids"] = {n.pk for n in context["notifications"] if n.read_at is None}
        Notification.objects.filter(pk__in=context["unread_ids"]).update(read_at=timezone.now())
        return context


class NotificationSettingsView(LoginRequiredMixin, View):
    """Per kind of notification: also by e-mail, or in the app only."""

    template_name = "kontaktstelle/notification_settings.html"

    def form(self, data=None):
        choices = notifications.email_choices(self.request.user)
        return NotificationSettingsForm(data, kinds=list(choices), initial=choices)

    def get(self, request):
        return render(request, self.template_name, {"form": self.form()})

    def post(self, request):
        form = self.form(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form})
        notifications.save_email_choices(request.user, form.cleaned_data)
        messages.success(request, _("Your notification settings were saved."))
        return redirect("notification_settings")
