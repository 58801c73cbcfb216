"""Staff: searches of the public directory that found nothing, turned into synonyms."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import ListView

from groups import missed_searches
from groups.forms import SynonymForm
from groups.services import GroupError
from kontaktstelle.accounts.mixins import OfficeStaffRequiredMixin


class MissedSearchListView(OfficeStaffRequiredMixin, ListView):
    """The office's queries asked at least three times that found nothing; each can be
    added to a topic as a synonym, or dismissed, in one click."""

    template_name = "groups/missed_searches.html"
    context_object_name = "searches"
    paginate_by = 20
    failed = None  # (query, bound form) of a synonym that could not be added

    def get_queryset(self):
        return missed_searches.frequent(self.request.user)

    def paginate_queryset(self, queryset, page_size):
        # After the last query of the last page is resolved, its page is gone: the
        # nearest page that is left, never a 404.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        chooser = missed_searches.TopicChooser()
        failed_query, failed_form = self.failed or (None, None)
        rows = []
        for index, search in enumerate(context["searches"]):
            suggested = chooser.suggestions(search["query"])
            if search["query"] == failed_query:
                form, failed_form = failed_form, None
            else:
                initial = {"term": search["query"], "topic": suggested[0] if suggested else None}
                form = SynonymForm(initial=initial)
            form.auto_id = f"id_missed{index}_%s"
            form.fields["topic"].label = _("Add as a synonym of")
            form.fields["topic"].choices = chooser.choices(suggested)
            rows.append((search, form))
        if failed_form is not None:  # its query is no longer on this page
            for error in failed_form.errors.values():
                messages.error(self.request, " ".join(error))
        context["rows"] = rows
        context["min_asked"] = missed_searches.MIN_ASKED
        return context

    def post(self, request):
        query = request.POST.get("query", "")
        if "dismiss" in request.POST:
            missed_searches.dismiss(request.user, query)
            messages.success(request, _("Dismissed: %s") % query)
            return redirect(request.get_full_path())
        form = SynonymForm(request.POST)
        if form.is_valid():
            try:
                synonym = missed_searches.add_as_synonym(
                    request.user, query, form.cleaned_data["topic"], form.cleaned_data["term"]
                )
            except GroupError as error:
                form.add_error("term", str(error))
            else:
                messages.success(
                    request,
                    _("“%(term)s” is now a synonym of %(topic)s.")
                    % {"term": synonym.term, "topic": synonym.topic},
                )
                return redirect(request.get_full_path())
        self.failed = (query, form)
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data())
