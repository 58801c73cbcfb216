from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _

from kontaktstelle.accounts.forms import LoginForm


class KontaktstelleAdminSite(admin.AdminSite):
    """The Django admin, open to platform operators and to office admins.

    Office admins see only their own office's records (see ``OfficeScopedAdmin``).
    """

    site_header = _("Kontaktstelle administration")
    site_title = _("Kontaktstelle")
    index_title = _("Users, sites and rooms")
    site_url = "/intern/"
    login_form = LoginForm

    def has_permission(self, request):
        user = request.user
        return user.is_active and (user.is_superuser or user.is_office_admin)

    def get_urls(self):
        view = self.admin_view(self.view_on_site)
        view.login_url = reverse_lazy("admin:login", current_app=self.name)  # as Django's
        return [
            path("r/<path:content_type_id>/<path:object_id>/", view, name="view_on_site")
            if getattr(pattern, "name", None) == "view_on_site"
            else pattern
            for pattern in super().get_urls()
        ]

    def view_on_site(self, request, content_type_id, object_id):
        """Django's "view on site" link, for objects this admin shows the user only:
        another office's ids answer 404 like ids that do not exist."""
        try:
            model = ContentType.objects.get(pk=content_type_id).model_class()
            model_admin = self._registry.get(model)
            visible = model_admin is not None and (
                model_admin.get_queryset(request).filter(pk=object_id).exists()
            )
        except (ContentType.DoesNotExist, ValueError, ValidationError):
            visible = False
        if not visible:
            raise Http404
        return shortcut(request, content_type_id, object_id)
