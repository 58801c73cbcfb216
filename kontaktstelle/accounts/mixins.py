"""Who may open a page: by the role of the user's membership."""

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied

from kontaktstelle.accounts.models import Membership


class RoleRequiredMixin(AccessMixin):
    """Let in only users whose membership has one of ``allowed_roles``.

    Anonymous users are sent to the login page; logged-in users with another role get
    403. Object-level scoping (which office) is done by the querysets' ``for_user``.
    """

    allowed_roles: tuple[Membership.Role, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if request.user.role not in self.allowed_roles:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class OfficeStaffRequiredMixin(RoleRequiredMixin):
    """Staff and office admins, working on their own office."""

    allowed_roles = (Membership.Role.STAFF, Membership.Role.OFFICE_ADMIN)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("office", self.request.user.office)
        return super().get_context_data(**kwargs)


class OfficeAdminRequiredMixin(RoleRequiredMixin):
    """Office admins only, working on their own office."""

    allowed_roles = (Membership.Role.OFFICE_ADMIN,)
