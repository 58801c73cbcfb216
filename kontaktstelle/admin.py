from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from kontaktstelle.models import Membership, Network, Office, Room, Site, User


class OfficeAdminPermissions:
    """Office admins may do everything here, within their office; operators everywhere.

    Office admins hold no Django model permissions: their role is the permission.
    """

    def _is_office_admin(self, request):
        return not request.user.is_superuser and request.user.is_office_admin

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
