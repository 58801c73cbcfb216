"""Offices in public and for staff: the start page, a site with its rooms, the legal pages
and the office admin's pages to edit them."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView, View

from kontaktstelle.accounts.mixins import OfficeAdminRequiredMixin, OfficeStaffRequiredMixin
from kontaktstelle.offices import legal
from kontaktstelle.offices.models import LegalText, Room, Site
from kontaktstelle.offices.selectors import public_office


@login_not_required
def legal_page(request, kind, slug=None):
    """The office's privacy notice, imprint or accessibility statement, for everyone."""
    office = public_office(slug)
    if office is None:
        raise Http404
    legal_text = legal.current_text(office, kind)
    return render(
        request,
        "kontaktstelle/legal_page.html",
        {
            "office": office,
            "kind": kind,
            "title": LegalText.Kind(kind).label,
            "body": legal_text.body if legal_text else legal.default_text(kind, office),
            "legal_text": legal_text,
            "contact_email": legal.contact_email(office),
            "contact_phone": legal.contact_phone(office),
        },
    )


class LegalTextListView(OfficeAdminRequiredMixin, TemplateView):
    """The three legal texts of the office: adapted or still the template."""

    template_name = "kontaktstelle/legal_text_list.html"

    def get_context_data(self, **kwargs):
        office = self.request.user.office
        saved = {
            text.kind: text
            for text in LegalText.objects.for_office(office).select_related("updated_by")
        }
        kwargs["office"] = office
        kwargs["texts"] = [(kind, saved.get(kind)) for kind in LegalText.Kind]
        return super().get_context_data(**kwargs)


class LegalTextForm(forms.ModelForm):
    class Meta:
        model = LegalText
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 24})}


class LegalTextEditView(OfficeAdminRequiredMixin, View):
    """Edit one legal text of the admin's own office, starting from the template."""

    template_name = "kontaktstelle/legal_text_form.html"

    def render_form(self, form, kind, legal_text):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "kind": kind,
                "title": LegalText.Kind(kind).label,
                "legal_text": legal_text,
                "office": self.request.user.office,
            },
        )

    def get(self, request, kind):
        office = request.user.office
        legal_text = legal.current_text(office, kind)
        initial = None if legal_text else {"body": legal.default_text(kind, office)}
        return self.render_form(
            LegalTextForm(instance=legal_text, initial=initial), kind, legal_text
        )

    def post(self, request, kind):
        legal_text = legal.current_text(request.user.office, kind)
        form = LegalTextForm(request.POST, instance=legal_text)
        if not form.is_valid():
            return self.render_form(form, kind, legal_text)
        legal.save_legal_text(request.user, kind, form.cleaned_data["body"])
        messages.success(request, _("Your changes were saved."))
        return redirect("legal_texts")


@login_not_required
def home(request, slug=None):
    """The public start page of an office: search box, sites, opening hours."""
    office = public_office(slug)
    return render(request, "kontaktstelle/home.html", {"office": office})


class SiteDetailView(OfficeStaffRequiredMixin, DetailView):
    template_name = "kontaktstelle/site_detail.html"
    context_object_name = "site"

    def get_queryset(self):
        return Site.objects.for_user(self.request.user).prefetch_related(
            Prefetch("rooms", queryset=Room.objects.order_by("name"))
        )
