"""Public pages: the group directory, group pages and the visitors' forms."""

from django.contrib.auth.decorators import login_not_required
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, TemplateView

from groups import exchange, schedules, services, structured_data
from groups.directory import accept, public_groups, search_page, with_topics
from groups.forms import (
    ContactRequestForm,
    CorrectionForm,
    DirectoryFilterForm,
    FoundingInterestForm,
)
from groups.models import Group, Inquiry, Topic
from kontaktstelle.offices.selectors import public_office
from kontaktstelle.web.public_cache import cache_public_page


@login_not_required
@cache_public_page
def directory(request):
    """Search the directory: ranked by the search when there is a query, else by name."""
    return search_page(request, DirectoryFilterForm(request.GET or None), "groups/directory.html")


@login_not_required
@sensitive_post_parameters()
@cache_public_page
def group_page(request, slug):
    """A group's public page; unlisted or closed groups do not exist here (404)."""
    group = get_object_or_404(
        Group.objects.public()
        .select_related("office", "room__site")
        .prefetch_related("topics", *schedules.PREFETCH),
        slug=slug,
    )
    correcting = request.method == "POST" and "correction-message" in request.POST
    form = ContactRequestForm(request.POST if request.method == "POST" and not correcting else None)
    correction = CorrectionForm(request.POST if correcting else None, prefix="correction")
    if request.method == "POST":
        sent, kind = (correction, Inquiry.Kind.CORRECTION) if correcting else (form, None)
        if accept(request, sent):
            services.receive_inquiry(
                sent, group.office, kind or Inquiry.Kind.CONTACT_REQUEST, group=group
            )
            return redirect("groups:thanks")
    return render(
        request,
        "groups/public_group.html",
        {
            "group": group,
            "form": form,
            "correction": correction,
            "correcting": correcting,
            "next_dates": schedules.next_dates(group),
            "pause": schedules.current_pause(group),
            "structured_data": structured_data.as_json_ld(
                structured_data.for_group(group, request.build_absolute_uri(group.get_public_url()))
            ),
        },
    )


@login_not_required
def group_calendar(request, slug):
    """The group's meetings as an iCalendar feed to subscribe to; like its page, only for
    listed groups that are not closed (404), and without a place where the page has none."""
    group = get_object_or_404(
        Group.objects.public().select_related("room__site").prefetch_related(*schedules.PREFETCH),
        slug=slug,
    )
    response = HttpResponse(
        schedules.ical_feed(group, request.build_absolute_uri("/")[:-1]),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'inline; filename="{group.slug}.ics"'
    return response


@method_decorator(login_not_required, name="dispatch")
@method_decorator(cache_public_page, name="dispatch")
class FoundingGroupsView(TemplateView):
    """Groups being founded that look for members ("Gruppen in Gründung")."""

    template_name = "groups/founding_groups.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["groups"] = with_topics(
            public_groups().filter(status=Group.Status.FOUNDING).order_by("name")
        )
        # Topics of the founding-interest exchange: only from K_ANONYMITY people on.
        context["interest_topics"] = exchange.public_topics(public_office())
        context["k"] = exchange.K_ANONYMITY
        return context


@method_decorator(login_not_required, name="dispatch")
@method_decorator(sensitive_post_parameters(), name="dispatch")
class FoundingInterestView(FormView):
    """ "Gruppe gründen": lands in the office's inbox as a founding interest."""

    template_name = "groups/founding_interest.html"
    form_class = FoundingInterestForm

    def dispatch(self, request, *args, **kwargs):
        self.office = public_office()
        if self.office is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        # "Ich möchte mitmachen" on "Gruppen in Gründung" names the topic.
        return {"topic": self.request.GET.get("thema", "")[:200]}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("office", self.office)
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if accept(request, form):
            services.receive_inquiry(form, self.office, Inquiry.Kind.FOUNDING_INTEREST)
            return redirect("groups:thanks")
        return self.form_invalid(form)


@login_not_required
def thanks(request):
    return render(request, "groups/thanks.html")


@login_not_required
@cache_public_page
def print_directory(request):
    """The office's published groups by topic category, for the printed guide (A4)."""
    office = public_office()
    groups = (
        Group.objects.public()
        .filter(office=office)
        .select_related("room__site")
        .prefetch_related(
            Prefetch("topics", queryset=Topic.objects.select_related("category").order_by("name"))
        )
        .order_by("name", "pk")
    )
    by_category = {}
    for group in groups:
        categories = {topic.category.name for topic in group.topics.all()} or {_("Other topics")}
        for category in categories:
            by_category.setdefault(category, []).append(group)
    return render(
        request,
        "groups/print_directory.html",
        {
            "categories": sorted(by_category.items()),
            "office": office,
            "today": timezone.localdate(),
        },
    )
