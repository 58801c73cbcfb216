"""A user's notifications and their settings."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import ListView, View

from kontaktstelle.notifications import services as notifications
from kontaktstelle.notifications.forms import NotificationSettingsForm
from kontaktstelle.notifications.models import Notification


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
