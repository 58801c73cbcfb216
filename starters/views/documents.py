"""Staff pages of volunteers' documents that expire: one volunteer's documents (record a
renewed agreement or a police certificate seen), the office's overview, and its rules."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, UpdateView, View

from kontaktstelle.accounts.mixins import OfficeAdminRequiredMixin
from kontaktstelle.web.fetch import fetch
from starters import documents, services
from starters.forms import AgreementForm, DocumentRulesForm, PoliceCertificateForm
from starters.mixins import StaffStarterMixin
from starters.models import Starter

FORMS = {"agreement": AgreementForm, "police_certificate": PoliceCertificateForm}


class StarterDocumentsView(StaffStarterMixin, View):
    """A volunteer's documents, and the forms to record renewed ones."""

    template_name = "starters/starter_documents.html"

    def fetch_starter(self, pk):
        return fetch(documents.with_documents(self.get_queryset()), self.request.user, pk=pk)

    def render_page(self, starter, **bound):
        forms = {name: bound.get(name) or form(prefix=name) for name, form in FORMS.items()}
        return render(
            self.request,
            self.template_name,
            {
                "starter": starter,
                "documents": documents.documents_of(starter),
                "office": starter.office,
                "forms": forms,
            },
        )

    def get(self, request, pk):
        return self.render_page(self.fetch_starter(pk))

    def post(self, request, pk):
        starter = self.fetch_starter(pk)
        name = request.POST.get("record")
        if name not in FORMS:
            messages.error(request, _("Please choose which document to record."))
            return redirect("starters:starter_documents", pk=starter.pk)
        form = FORMS[name](request.POST, prefix=name)
        if not form.is_valid():
            return self.render_page(starter, **{name: form})
        data = form.cleaned_data
        try:
            if name == "agreement":
                services.record_agreement(request.user, starter, data["signed_on"])
            else:
                services.record_police_certificate(
                    request.user, starter, data["issued_on"], data["seen_on"]
                )
        except services.StarterError as error:
            messages.error(request, str(error))
            return self.render_page(starter, **{name: form})
        messages.success(request, _("The document was recorded."))
        return redirect("starters:starter_documents", pk=starter.pk)


class DocumentOverviewView(StaffStarterMixin, TemplateView):
    """Every volunteer of the office with their documents' state, and the office's rules."""

    template_name = "starters/document_overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        starters = documents.with_documents(
            self.get_queryset().exclude(status=Starter.Status.RETIRED)
        ).order_by("user__name")
        context["rows"] = [(starter, documents.documents_of(starter)) for starter in starters]
        context["office"] = self.request.user.office
        return context


class DocumentRulesView(OfficeAdminRequiredMixin, UpdateView):
    """The office admin sets which documents the office requires and how long they last."""

    template_name = "starters/document_rules.html"
    form_class = DocumentRulesForm
    success_url = reverse_lazy("starters:document_overview")

    def get_object(self, queryset=None):
        return self.request.user.office

    def form_valid(self, form):
        try:
            services.save_document_rules(self.request.user, form)
        except services.StarterError as error:
            messages.error(self.request, str(error))
            return self.form_invalid(form)
        messages.success(self.request, _("Your changes were saved."))
        return redirect(self.success_url)
