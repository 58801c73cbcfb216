from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kontaktstelle.accounts import login_security, two_factor
from kontaktstelle.accounts.models import Membership, User
from kontaktstelle.accounts.security_log import log_event
from kontaktstelle.audit import services as audit
from kontaktstelle.audit.models import AuditEntry
from kontaktstelle.offices.models import Network, Office, Room, Site


class OfficeAdminPermissions:
    """Office admins may do everything here, within their office; operators everywhere.

    Office admins hold no Django model permissions: their role is the permission.
    """

    def _is_office_admin(self, request):
        # getattr: the admin's login page asks too, for a visitor not logged in yet.
        return not request.user.is_superuser and getattr(request.user, "is_office_admin", False)

    def has_module_permission(self, request):
        return request.user.is_superuser or self._is_office_admin(request)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)


class OfficeScopedAdmin(OfficeAdminPermissions, admin.ModelAdmin):
    """Office admins see only their own office's records.

    ``office_lookup`` is the path from the model to its office.
    """

    office_lookup = "office"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        if self._is_office_admin(request):
            return queryset.filter(**{self.office_lookup: request.user.office})
        return queryset.none()


class RoomInline(OfficeAdminPermissions, admin.TabularInline):
    model = Room
    extra = 0


@admin.register(Site)
class SiteAdmin(OfficeScopedAdmin):
    list_display = ["name", "office", "city", "phone"]
    list_select_related = ["office"]
    search_fields = ["name", "city"]
    inlines = [RoomInline]

    def get_exclude(self, request, obj=None):
        return ["office"] if self._is_office_admin(request) else []

    def save_model(self, request, obj, form, change):
        if self._is_office_admin(request):
            obj.office = request.user.office
        super().save_model(request, obj, form, change)


@admin.register(Room)
class RoomAdmin(OfficeScopedAdmin):
    office_lookup = "site__office"
    list_display = ["name", "site", "capacity", "step_free", "accessible_toilet", "hearing_loop"]
    list_filter = ["step_free", "accessible_toilet", "hearing_loop"]
    list_select_related = ["site"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "site" and self._is_office_admin(request):
            kwargs["queryset"] = Site.objects.for_office(request.user.office)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Office)
class OfficeAdmin(OfficeScopedAdmin):
    office_lookup = "pk"
    list_display = ["name", "slug", "network"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return queryset
        if self._is_office_admin(request):
            return queryset.filter(pk=request.user.office.pk)
        return queryset.none()

    def get_readonly_fields(self, request, obj=None):
        return ["slug", "network"] if self._is_office_admin(request) else []

    def get_prepopulated_fields(self, request, obj=None):
        # A read-only slug cannot be filled in from the name.
        return {} if self._is_office_admin(request) else super().get_prepopulated_fields(request)

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name"]


class MembershipInlineFormSet(forms.models.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if getattr(self, "require_membership", False) and not any(
            form.cleaned_data and not form.cleaned_data.get("DELETE") for form in self.forms
        ):
            raise forms.ValidationError(_("Choose the role of this user in your office."))


class MembershipInline(OfficeAdminPermissions, admin.StackedInline):
    model = Membership
    formset = MembershipInlineFormSet
    can_delete = False
    max_num = 1

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ["role", "office", "network"]
        return ["role"]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not request.user.is_superuser:
            kwargs["choices"] = [
                choice
                for choice in Membership.Role.choices
                if choice[0] != Membership.Role.COORDINATOR
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.require_membership = not request.user.is_superuser
        return formset

    def get_min_num(self, request, obj=None, **kwargs):
        return 0 if request.user.is_superuser else 1


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django's German catalogue lacks these newer texts.
        self.fields["usable_password"].label = _("Login with password")
        self.fields["usable_password"].help_text = _(
            "Disabled: the account cannot log in until a password is set for it."
        )
        self.fields["usable_password"].choices = [
            ("true", _("Enabled")),
            ("false", _("Disabled")),
        ]


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(OfficeScopedAdmin, DjangoUserAdmin):
    office_lookup = "membership__office"
    form = UserEditForm
    add_form = UserCreationForm
    add_form_template = None
    inlines = [MembershipInline]
    list_display = ["email", "name", "role_display", "is_active"]
    list_filter = ["is_active", "membership__role"]
    list_select_related = ["membership"]
    search_fields = ["email", "name"]
    ordering = ["email"]
    fieldsets = [
        (None, {"fields": ["email", "name", "password"]}),
        (_("Status"), {"fields": ["is_active", "last_login", "date_joined"]}),
    ]
    operator_fieldsets = [
        (_("Platform rights"), {"fields": ["is_staff", "is_superuser"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "name", "usable_password", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]
    actions = ["reset_two_factor", "unlock_login"]

    # The actions work on get_queryset, so an office admin reaches only their office.
    @admin.action(description=_("Reset two-factor login (lost phone)"))
    def reset_two_factor(self, request, queryset):
        count = self._secure_accounts(
            request, queryset, two_factor.reset, "two_factor_reset", _("two-factor login")
        )
        message = ngettext(
            "Two-factor login reset for %(count)d user; they set it up again.",
            "Two-factor login reset for %(count)d users; they set it up again.",
            count,
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Lift a login lock after failed attempts"))
    def unlock_login(self, request, queryset):
        count = self._secure_accounts(
            request,
            queryset,
            lambda user: login_security.unlock(user.email),
            "login_unlocked",
            _("login lock"),
        )
        message = ngettext(
            "Login lock lifted for %(count)d user.",
            "Login lock lifted for %(count)d users.",
            count,
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @staticmethod
    def _secure_accounts(request, users, act, event, what):
        """Apply ``act`` to each user; a security-log line and an audit entry for each."""
        for user in users:
            act(user)
            log_event(request, event, target=user.pk)
            audit.record(
                request.user, audit.Action.PERMISSIONS_CHANGED, target=user, changes=[what]
            )
        return len(users)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        if request.user.is_superuser:
            return self.fieldsets + self.operator_fieldsets
        return self.fieldsets

    @admin.display(description=_("role"), ordering="membership__role")
    def role_display(self, obj):
        membership = obj.membership_or_none
        return membership.get_role_display() if membership else "–"

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            membership = inline_form.instance
            if isinstance(membership, Membership) and not request.user.is_superuser:
                membership.office = request.user.office
                membership.network = None
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        audit_account_change(request.user, form, formsets, change)

    def delete_model(self, request, obj):
        audit.record(request.user, audit.Action.PERSONAL_DATA_DELETED, target=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for user in queryset.select_related("membership__office"):
            audit.record(request.user, audit.Action.PERSONAL_DATA_DELETED, target=user)
        super().delete_queryset(request, queryset)


# Changes of these fields (and of the role) are changes of permissions.
PERMISSION_FIELDS = {"is_staff", "is_superuser", "groups", "user_permissions"}


def audit_account_change(actor, form, formsets, change):
    """The audit entries of a user saved in the admin, after the role is saved too.

    A new account is "created"; otherwise (de)activation, permissions (platform rights,
    the role) and personal data (name, e-mail address) get one entry each, naming the
    fields that changed.
    """
    user = form.instance
    if not change:
        audit.record(actor, audit.Action.ACCOUNT_CREATED, target=user)
        return

    def labels(names):
        return [str(form.fields[name].label) for name in form.changed_data if name in names]

    changed = set(form.changed_data)
    if "is_active" in changed:
        action = (
            audit.Action.ACCOUNT_REACTIVATED if user.is_active else audit.Action.ACCOUNT_DEACTIVATED
        )
        audit.record(actor, action, target=user, changes=labels({"is_active"}))
    role_forms = [f for formset in formsets if formset.model is Membership for f in formset.forms]
    if permissions := labels(PERMISSION_FIELDS) + audit.changed_labels(*role_forms):
        audit.record(actor, audit.Action.PERMISSIONS_CHANGED, target=user, changes=permissions)
    if personal := labels(changed - PERMISSION_FIELDS - {"is_active"}):
        audit.record(actor, audit.Action.PERSONAL_DATA_CHANGED, target=user, changes=personal)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The whole trail, for platform operators, read only; office admins have /intern/protokoll/."""

    list_display = ["at", "action", "actor_label", "office", "target_label", "request_id"]
    list_filter = ["action", "office"]
    list_select_related = ["office"]
    search_fields = ["actor_label", "target_label", "request_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
