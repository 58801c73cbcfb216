"""The staff's schedule page of a group: its meeting rules, listed dates and pauses."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import View

from groups import schedules, scheduling
from groups.forms.schedules import MeetingDatesForm, MeetingPauseForm, MeetingRuleForm
from groups.models import Group, MeetingDate, MeetingPause, MeetingRule
from kontaktstelle.accounts.mixins import OfficeStaffRequiredMixin
from kontaktstelle.web.fetch import fetch


def _group(request, pk):
    return fetch(
        Group.objects.select_related("room__site").prefetch_related(*schedules.PREFETCH),
        request.user,
        pk=pk,
    )


def _schedule_url(group):
    return reverse("groups:group_schedule", kwargs={"pk": group.pk})


class ScheduleView(OfficeStaffRequiredMixin, View):
    """Lists the group's rules, dates and pauses; adds a rule, dates or a pause (POST,
    one form at a time, told apart by the button's ``action``)."""

    template_name = "groups/group_schedule.html"

    def get(self, request, pk):
        group = _group(request, pk)
        return self.page(request, group)

    def page(self, request, group, **forms):
        office = request.user.office
        forms.setdefault("rule_form", MeetingRuleForm(office=office, prefix="rule"))
        forms.setdefault("pause_form", MeetingPauseForm(prefix="pause"))
        context = {
            "group": group,
            "office": office,
            "rules": group.meeting_rules.all(),
            "pauses": group.meeting_pauses.all(),
            "next_dates": schedules.next_dates(group, n=5),
            "dates_form": MeetingDatesForm(prefix="dates"),
            **forms,
        }
        status = 400 if any(form.errors for form in forms.values()) else 200
        return render(request, self.template_name, context, status=status)

    def post(self, request, pk):
        group = _group(request, pk)
        action = request.POST.get("action")
        if action == "rule":
            return self.add_rule(request, group)
        if action == "pause":
            return self.add_pause(request, group)
        if action == "dates":
            return self.add_dates(request, group)
        raise Http404

    def add_rule(self, request, group):
        form = MeetingRuleForm(request.POST, office=request.user.office, prefix="rule")
        if form.is_valid():
            try:
                scheduling.add_rule(
                    request.user, group, form.save(commit=False), form.cleaned_data["dates"]
                )
            except scheduling.RoomTaken as error:
                form.add_error("room", str(error))
            else:
                messages.success(request, _("The meeting rule was added."))
                return redirect(_schedule_url(group))
        return self.page(request, group, rule_form=form)

    def add_dates(self, request, group):
        rule = next(
            (
                rule
                for rule in group.meeting_rules.all()
                if str(rule.pk) == request.POST.get("rule") and rule.kind == MeetingRule.Kind.DATES
            ),
            None,
        )
        if rule is None:
            raise Http404
        form = MeetingDatesForm(request.POST, prefix="dates")
        if form.is_valid():
            try:
                scheduling.add_dates(request.user, rule, form.cleaned_data["dates"])
            except scheduling.RoomTaken as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("The dates were added."))
        else:
            messages.error(request, " ".join(form.errors["dates"]))
        return redirect(_schedule_url(group))

    def add_pause(self, request, group):
        form = MeetingPauseForm(request.POST, prefix="pause")
        if form.is_valid():
            scheduling.add_pause(request.user, group, form.save(commit=False))
            messages.success(request, _("The pause was added."))
            return redirect(_schedule_url(group))
        return self.page(request, group, pause_form=form)


class ScheduleDeleteView(OfficeStaffRequiredMixin, View):
    """Ask first (GET), then delete (POST) a rule, a listed date or a pause."""

    KINDS = {
        "regel": (MeetingRule, "group", scheduling.delete_rule),
        "datum": (MeetingDate, "rule__group", scheduling.delete_date),
        "pause": (MeetingPause, "group", scheduling.delete_pause),
    }

    def target(self, request, pk, kind, item):
        if kind not in self.KINDS:
            raise Http404
        group = fetch(Group.objects, request.user, pk=pk)
        model, path, delete = self.KINDS[kind]
        found = model.objects.filter(pk=item, **{path: group}).first()
        if found is None:
            raise Http404
        return group, found, delete

    def get(self, request, pk, kind, item):
        group, found, _delete = self.target(request, pk, kind, item)
        return render(
            request,
            "groups/group_schedule_delete.html",
            {"group": group, "item": found, "kind": kind},
        )

    def post(self, request, pk, kind, item):
        group, found, delete = self.target(request, pk, kind, item)
        delete(request.user, found)
        messages.success(request, _("Deleted."))
        return redirect(_schedule_url(group))
