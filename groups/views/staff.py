"""Staff pages of group records (under /intern/)."""

import base64

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, DetailView, ListView, UpdateView, View

from groups import services
from groups.forms import GroupFilterForm, GroupForm, ImportForm, SynonymForm, TopicForm
from groups.importing import MAX_BYTES, export_groups, headers, import_groups
from groups.models import Group, GroupChange, Inquiry, MeetingRule, Synonym, Topic
from kontaktstelle.accounts.mixins import OfficeStaffRequiredMixin
from kontaktstelle.audit import services as audit
from kontaktstelle.web.fetch import fetch
from kontaktstelle.web.mixins import FilteredListMixin


class StaffGroupMixin(OfficeStaffRequiredMixin):
    """Groups of the user's own office; another office's group answers 404."""

    def get_queryset(self):
        return Group.objects.for_user(self.request.user)


class GroupListView(StaffGroupMixin, FilteredListMixin, ListView):
    template_name = "groups/group_list.html"
    context_object_name = "groups"
    paginate_by = 50
    filter_form_class = GroupFilterForm

    def get_queryset(self):
        queryset = super().get_queryset().select_related("room__site")
        queryset = queryset.prefetch_related(
            Prefetch("topics", queryset=Topic.objects.order_by("name"))
        )
        return self.filtered(queryset)


class GroupDetailView(StaffGroupMixin, DetailView):
    template_name = "groups/group_detail.html"
    context_object_name = "group"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("room__site")
            .prefetch_related(
                Prefetch("topics", queryset=Topic.objects.select_related("category")),
                Prefetch("changes", queryset=GroupChange.objects.select_related("user")),
                Prefetch("meeting_rules", queryset=MeetingRule.objects.select_related("room")),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["running_check"] = (
            self.object.verifications.running().order_by("-created_at").first()
        )
        return context


class GroupFormMixin(StaffGroupMixin):
    form_class = GroupForm
    template_name = "groups/group_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["office"] = self.request.user.office
        return kwargs


class GroupCreateView(GroupFormMixin, CreateView):
    def form_valid(self, form):
        self.object = services.create_group(self.request.user, form)
        messages.success(
            self.request,
            _("The group “%s” was created. Now enter when and where it meets.") % self.object.name,
        )
        return redirect("groups:group_schedule", self.object.pk)


class GroupUpdateView(GroupFormMixin, UpdateView):
    context_object_name = "group"

    def form_valid(self, form):
        self.object = services.update_group(self.request.user, form)
        messages.success(self.request, _("Your changes were saved."))
        return redirect(self.object)


class GroupCloseView(StaffGroupMixin, View):
    """Ask first (GET), then close (POST). Groups are never deleted from the UI."""

    def get(self, request, pk):
        group = fetch(self.get_queryset(), request.user, pk=pk)
        return render(request, "groups/group_close.html", {"group": group})

    def post(self, request, pk):
        group = fetch(self.get_queryset(), request.user, pk=pk)
        try:
            services.close_group(request.user, group)
        except services.GroupError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The group “%s” was closed.") % group.name)
        return redirect(group)


class InboxView(OfficeStaffRequiredMixin, ListView):
    """The office's web requests as a work queue: open ones first, filtered by state."""

    template_name = "groups/inbox.html"
    context_object_name = "inquiries"
    paginate_by = 30
    FILTERS = {
        "open": Inquiry.Status.open_states(),
        Inquiry.Status.NEW: [Inquiry.Status.NEW],
        Inquiry.Status.IN_PROGRESS: [Inquiry.Status.IN_PROGRESS],
        Inquiry.Status.DONE: [Inquiry.Status.DONE],
    }

    def get_queryset(self):
        self.status = self.request.GET.get("status", "open")
        if self.status not in self.FILTERS:
            self.status = "open"
        self.mine = self.request.GET.get("mine") == "1"
        inquiries = (
            Inquiry.objects.for_user(self.request.user)
            .filter(status__in=self.FILTERS[self.status])
            .select_related("group", "consultation", "assigned_to", "from_office")
            .prefetch_related("accompaniments", "topics")
        )
        if self.mine:
            inquiries = inquiries.filter(assigned_to=self.request.user)
        return inquiries.order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["status"] = self.status
        context["mine"] = self.mine
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        context["filters"] = [
            ("open", _("open")),
            *((value, Inquiry.Status(value).label) for value in self.FILTERS if value != "open"),
        ]
        return context


class InboxActionView(OfficeStaffRequiredMixin, View):
    """Take a request on, mark it done, or open it again (POST only)."""

    ACTIONS = {
        "uebernehmen": (
            services.take_inquiry,
            gettext_lazy("You are in charge of the request now."),
        ),
        "erledigt": (services.close_inquiry, gettext_lazy("The request is done.")),
        "wieder-oeffnen": (services.reopen_inquiry, gettext_lazy("The request is open again.")),
    }

    def post(self, request, pk, action):
        if action not in self.ACTIONS:
            raise Http404
        change, done = self.ACTIONS[action]
        inquiry = fetch(Inquiry.objects, request.user, pk=pk)
        try:
            change(request.user, inquiry)
        except services.GroupError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, done)
        back = request.POST.get("next", "")
        if not back.startswith(reverse("groups:inbox")):
            back = reverse("groups:inbox")
        return redirect(back)


class TopicListView(OfficeStaffRequiredMixin, ListView):
    """The shared thesaurus, with forms to add a topic or a synonym."""

    template_name = "groups/topic_list.html"
    context_object_name = "topics"

    def get_queryset(self):
        return (
            Topic.objects.select_related("category")
            .prefetch_related(Prefetch("synonyms", queryset=Synonym.objects.order_by("term")))
            .order_by("category__name", "name")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("topic_form", TopicForm(prefix="topic"))
        context.setdefault("synonym_form", SynonymForm(prefix="synonym"))
        return context

    def post(self, request):
        """Add a topic or a synonym; on an error, show the list with the form again."""
        topic_form = TopicForm(
            request.POST if "topic-name" in request.POST else None, prefix="topic"
        )
        synonym_form = SynonymForm(
            request.POST if "synonym-term" in request.POST else None, prefix="synonym"
        )
        for form in (topic_form, synonym_form):
            if form.is_bound and form.is_valid():
                form.save()
                messages.success(request, _("Added to the thesaurus: %s") % form.instance)
                return redirect("groups:topic_list")
        self.object_list = self.get_queryset()
        return self.render_to_response(
            self.get_context_data(topic_form=topic_form, synonym_form=synonym_form)
        )


class GroupImportView(OfficeStaffRequiredMixin, View):
    """Upload, preview (nothing written), then confirm the import."""

    session_key = "group_import"
    template_name = "groups/group_import.html"

    def page(self, request, **context):
        """The page, with the columns the file may have (the export's German headers)."""
        return render(request, self.template_name, {"columns": headers(), **context})

    def get(self, request):
        return self.page(request, form=ImportForm())

    def post(self, request):
        office = request.user.office
        if "confirm" in request.POST:
            pending = request.session.pop(self.session_key, None)
            if not pending:
                messages.error(request, _("Please upload the file again."))
                return redirect("groups:group_import")
            result = import_groups(
                office, base64.b64decode(pending["data"]), pending["name"], user=request.user
            )
            if result.ok:
                messages.success(
                    request,
                    _(
                        "Import done: %(created)s groups created, %(updated)s updated, "
                        "%(unchanged)s unchanged."
                    )
                    % {
                        "created": result.created,
                        "updated": result.updated,
                        "unchanged": result.unchanged,
                    },
                )
                return redirect("groups:group_list")
            return self.page(request, form=ImportForm(), result=result)
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(request, form=form)
        upload = form.cleaned_data["file"]
        content = upload.read(MAX_BYTES + 1)
        result = import_groups(office, content, upload.name, dry_run=True)
        if result.ok:
            request.session[self.session_key] = {
                "name": upload.name,
                "data": base64.b64encode(content).decode(),
            }
        return self.page(request, form=ImportForm(), result=result, file=upload.name)


class GroupExportView(OfficeStaffRequiredMixin, View):
    def get(self, request):
        fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
        content_type = {
            "csv": "text/csv; charset=utf-8",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }[fmt]
        response = HttpResponse(export_groups(request.user.office, fmt), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="gruppen.{fmt}"'
        audit.record(request.user, audit.Action.EXPORT, target=f"gruppen.{fmt}")
        return response
