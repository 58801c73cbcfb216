"""The office admin's page for embedding the directory in other websites: which websites
may do so, and the snippet to copy into them."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import UpdateView

from kontaktstelle.accounts.mixins import OfficeAdminRequiredMixin
from kontaktstelle.offices.models import Office
from kontaktstelle.offices.origins import parse_origins

SNIPPET = (
    '<iframe src="{frame}" title="{title}" style="width:100%;border:0" loading="lazy">'
    '</iframe><script src="{script}" async></script>'
)


class EmbedOriginsForm(forms.ModelForm):
    class Meta:
        model = Office
        fields = ["embed_origins"]
        widgets = {
            "embed_origins": forms.Textarea(
                attrs={"rows": 5, "placeholder": "https://www.example.org"}
            )
        }

    def clean_embed_origins(self):
        """Saved as checked: one normalised address per line."""
        return "\n".join(parse_origins(self.cleaned_data["embed_origins"]))


def snippet(request, office):
    """The HTML the office pastes into its website."""
    return SNIPPET.format(
        frame=request.build_absolute_uri(reverse("groups:embed_directory", args=[office.slug])),
        title=_("Find a self-help group"),
        script=request.build_absolute_uri(static("js/embed-parent.js")),
    )


class EmbeddingView(OfficeAdminRequiredMixin, UpdateView):
    """Which websites may show the directory of the admin's office, and the snippet."""

    template_name = "kontaktstelle/embedding.html"
    form_class = EmbedOriginsForm

    def get_object(self, queryset=None):
        return self.request.user.office

    def get_context_data(self, **kwargs):
        office = self.object
        kwargs["office"] = office
        kwargs["origins"] = office.embed_origin_list
        kwargs["snippet"] = snippet(self.request, office)
        kwargs["preview_url"] = reverse("groups:embed_directory", args=[office.slug])
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        form.save()
        messages.success(self.request, _("Your changes were saved."))
        return redirect("embedding")
