from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kontaktstelle.forms import LoginForm


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
