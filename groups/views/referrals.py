"""The page a referred person reaches by the link in the follow-up e-mail."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import View

from groups import referrals
from groups.forms.referrals import FollowUpForm


@method_decorator(login_not_required, name="dispatch")
@method_decorator(never_cache, name="dispatch")
class FollowUpView(View):
    """No account: the one-time link is the key.

    Mail scanners open links in e-mails before people do, so a GET never answers: it
    shows the answer clicked in the e-mail preselected, and one button sends it (POST).
    """

    template_name = "groups/referral_follow_up.html"

    def invalid(self, request, message):
        return render(request, "groups/self_service_invalid.html", {"message": message}, status=410)

    def render_page(self, request, follow_up, form, status=200):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "office": follow_up.consultation.office,
                "held_on": follow_up.consultation.held_on,
                "last_day": referrals.last_day(follow_up.consultation.held_on),
            },
            status=status,
        )

    def get(self, request, token):
        try:
            follow_up = referrals.usable(token)
        except referrals.FollowUpError as error:
            return self.invalid(request, str(error))
        form = FollowUpForm(
            groups=referrals.referred_groups(follow_up), chosen=request.GET.get("antwort")
        )
        return self.render_page(request, follow_up, form)

    def post(self, request, token):
        try:
            follow_up = referrals.usable(token)
        except referrals.FollowUpError as error:
            return self.invalid(request, str(error))
        form = FollowUpForm(request.POST, groups=referrals.referred_groups(follow_up))
        if not form.is_valid():
            return self.render_page(request, follow_up, form, status=422)
        try:
            referrals.answer(token, form.answers())
        except referrals.FollowUpError as error:
            return self.invalid(request, str(error))
        return render(
            request,
            "groups/referral_follow_up_done.html",
            {"office": follow_up.consultation.office},
        )
