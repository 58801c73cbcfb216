"""Staff pages of training: cohorts, continuing education, exchange and supervision."""

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.generic import CreateView, DetailView, TemplateView, UpdateView, View

from kontaktstelle.accounts.mixins import OfficeStaffRequiredMixin
from kontaktstelle.web.fetch import fetch
from starters import services
from starters.forms import (
    CohortForm,
    CompletionForm,
    EventForm,
    QualificationForm,
    StarterChoiceForm,
    starter_choices,
)
from starters.models import (
    Attendance,
    CohortParticipation,
    Qualification,
    Starter,
    TrainingCohort,
    TrainingEvent,
)


class TrainingOverviewView(OfficeStaffRequiredMixin, TemplateView):
    """Cohorts, events, the office's qualifications and who is overdue for exchange."""

    template_name = "starters/training_overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        office = self.request.user.office
        context["cohorts"] = (
            TrainingCohort.objects.for_office(office)
            .annotate(
                participant_count=Count("participations"),
                completed_count=Count(
                    "participations", filter=Q(participations__completed_on__isnull=False)
                ),
            )
            .order_by("-starts_on")
        )
        context["events"] = (
            TrainingEvent.objects.for_office(office)
            .annotate(attendee_count=Count("attendances"))
            .order_by("-date")[:50]
        )
        context["overdue"] = (
            Starter.objects.for_office(office)
            .exchange_overdue()
            .with_last_exchange()
            .select_related("user")
            .order_by("user__name")
        )
        context["qualifications"] = Qualification.objects.for_office(office).order_by("name")
        context.setdefault("qualification_form", QualificationForm(office=office))
        return context

    def post(self, request):
        """Add a qualification of the office's own."""
        form = QualificationForm(request.POST, office=request.user.office)
        if form.is_valid():
            form.save()
            messages.success(request, _("Qualification added: %s") % form.instance)
            return redirect("starters:training_overview")
        return self.render_to_response(self.get_context_data(qualification_form=form))


class OfficeFormMixin(OfficeStaffRequiredMixin):
    """Create and edit forms of office-owned training records."""

    template_name = "starters/training_form.html"

    def get_queryset(self):
        return self.model.objects.for_user(self.request.user)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["office"] = self.request.user.office
        return kwargs

    def get_context_data(self, **kwargs):
        kwargs.setdefault("heading", self.object or self.create_heading)
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        form.instance.office = self.request.user.office
        messages.success(self.request, _("Saved."))
        return super().form_valid(form)


class CohortCreateView(OfficeFormMixin, CreateView):
    model = TrainingCohort
    form_class = CohortForm
    create_heading = _lazy("New training cohort")


class CohortUpdateView(OfficeFormMixin, UpdateView):
    model = TrainingCohort
    form_class = CohortForm


class EventCreateView(OfficeFormMixin, CreateView):
    model = TrainingEvent
    form_class = EventForm
    create_heading = _lazy("New training event")


class EventUpdateView(OfficeFormMixin, UpdateView):
    model = TrainingEvent
    form_class = EventForm


class CohortDetailView(OfficeStaffRequiredMixin, DetailView):
    """A cohort's participants and their completion; add participants."""

    template_name = "starters/cohort_detail.html"
    context_object_name = "cohort"

    def get_queryset(self):
        return TrainingCohort.objects.for_user(self.request.user).prefetch_related(
            "grants",
            Prefetch(
                "participations",
                queryset=CohortParticipation.objects.select_related("starter__user").order_by(
                    "starter__user__name"
                ),
            ),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cohort = self.object
        context.setdefault(
            "add_form",
            StarterChoiceForm(
                queryset=starter_choices(cohort.office, Q(participations__cohort=cohort))
            ),
        )
        context["completion_form"] = CompletionForm()
        return context

    def post(self, request, pk):
        """Add the chosen starters as participants."""
        self.object = self.get_object()
        form = StarterChoiceForm(
            request.POST,
            queryset=starter_choices(self.object.office, Q(participations__cohort=self.object)),
        )
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(add_form=form))
        services.add_participants(self.object, form.cleaned_data["starters"])
        messages.success(request, _("Participants added."))
        return redirect(self.object)


class ParticipationMixin(OfficeStaffRequiredMixin):
    def get_queryset(self):
        return CohortParticipation.objects.select_related("cohort", "starter__user")


class ParticipationCompleteView(ParticipationMixin, View):
    def post(self, request, pk):
        participation = fetch(self.get_queryset(), request.user, pk=pk)
        form = CompletionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Please enter the date of completion."))
            return redirect(participation.cohort)
        try:
            services.complete_participation(participation, form.cleaned_data["completed_on"])
        except services.StarterError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(name)s completed the training.") % {"name": participation.starter.name},
            )
        return redirect(participation.cohort)


class ParticipationRemoveView(ParticipationMixin, View):
    """Ask first (GET), then take the starter off the cohort (POST)."""

    def get(self, request, pk):
        participation = fetch(self.get_queryset(), request.user, pk=pk)
        return render(
            request, "starters/participation_remove.html", {"participation": participation}
        )

    def post(self, request, pk):
        participation = fetch(self.get_queryset(), request.user, pk=pk)
        try:
            services.remove_participant(participation)
        except services.StarterError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Removed from the cohort."))
        return redirect(participation.cohort)


class EventDetailView(OfficeStaffRequiredMixin, DetailView):
    """An event with its attendance list, to tick off who came."""

    template_name = "starters/event_detail.html"
    context_object_name = "event"

    def get_queryset(self):
        return TrainingEvent.objects.for_user(self.request.user).prefetch_related(
            "grants",
            Prefetch("attendances", queryset=Attendance.objects.select_related("starter__user")),
        )

    def attendance_form(self, data=None):
        event = self.object
        attending = [attendance.starter_id for attendance in event.attendances.all()]
        queryset = Starter.objects.for_office(event.office).filter(
            ~Q(status=Starter.Status.RETIRED) | Q(pk__in=attending)
        )
        return StarterChoiceForm(data, queryset=queryset, initial={"starters": attending})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("attendance_form", self.attendance_form())
        return context

    def post(self, request, pk):
        self.object = self.get_object()
        form = self.attendance_form(request.POST)
        if form.is_valid():
            try:
                services.record_attendance(self.object, form.cleaned_data["starters"])
            except services.StarterError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Attendance saved."))
                return redirect(self.object)
        return self.render_to_response(self.get_context_data(attendance_form=form))
