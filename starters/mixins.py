"""Who may see the programme's pages: the starter's own area, and staff of the office."""

from django.shortcuts import render

from kontaktstelle.accounts.mixins import OfficeStaffRequiredMixin, RoleRequiredMixin
from kontaktstelle.accounts.models import Membership
from starters.models import Starter


class OwnStarterMixin(RoleRequiredMixin):
    """The logged-in starter's own profile; without one, a page that says so."""

    allowed_roles = (Membership.Role.STARTER,)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_starter:
            self.starter = (
                Starter.objects.filter(user=request.user).select_related("user", "office").first()
            )
            if self.starter is None:
                return render(request, "starters/no_profile.html")
        return super().dispatch(request, *args, **kwargs)


class StaffStarterMixin(OfficeStaffRequiredMixin):
    """Starters of the user's own office; another office's starter answers 404."""

    def get_queryset(self):
        return Starter.objects.for_user(self.request.user).select_related("user")
