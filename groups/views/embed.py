"""The directory of one office in a frame on other websites (/einbetten/<office>/).

What may frame these pages is the office's list of websites (``Office.embed_origins``):
their Content-Security-Policy names exactly those in ``frame-ancestors`` (none listed:
``'none'``, not embeddable), and they go without X-Frame-Options. Every other page keeps
the strict policy of the settings. The headers are set outside the public page cache,
so a page served from the cache carries its office's policy too.

The contact form in the frame: the browser does not send our cookies into a frame on
another site (SameSite), so Django's CSRF cookie cannot work there. The form's view is
CSRF-exempt and instead accepts a POST only when its Origin header is this site itself,
which a form in our frame sends and another website's page cannot forge; the honeypot,
the consent and the rate limit of the public forms apply as on the group page.
"""

import functools

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters

from groups import schedules, services
from groups.directory import accept, search_page
from groups.forms import ContactRequestForm, DirectoryFilterForm
from groups.models import Group, Inquiry, Topic
from kontaktstelle.offices import origins
from kontaktstelle.offices.models import Office
from kontaktstelle.web.public_cache import cache_public_page


def framed(view):
    """Look up the office of the address (404 if unknown) and let its websites frame the
    answer: the view is called as ``view(request, office, ...)``."""

    @functools.wraps(view)
    def wrapped(request, office, *args, **kwargs):
        office = get_object_or_404(Office, slug=office)
        response = view(request, office, *args, **kwargs)
        response.headers["Content-Security-Policy"] = origins.frame_policy(office.embed_origin_list)
        response.xframe_options_exempt = True
        return response

    return wrapped


def _from_this_site(request):
    """Whether a POST comes from a page of this site (a form in our frame)."""
    return request.headers.get("Origin") == f"{request.scheme}://{request.get_host()}"


@login_not_required
@framed
@cache_public_page
def directory(request, office):
    """Search and results of the office's public groups."""
    data = request.GET.copy()
    data["stelle"] = office.slug
    return search_page(
        request, DirectoryFilterForm(data), "embed/directory.html", embed_office=office
    )


@login_not_required
@sensitive_post_parameters()
@csrf_exempt
@framed
@cache_public_page
def group_page(request, office, slug):
    """A public group of the office with the contact form; any other group: 404."""
    group = get_object_or_404(
        Group.objects.public()
        .filter(office=office)
        .select_related("office", "room__site")
        .prefetch_related(
            Prefetch("topics", queryset=Topic.objects.order_by("name")), *schedules.PREFETCH
        ),
        slug=slug,
    )
    form = ContactRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not _from_this_site(request):
            raise PermissionDenied
        if accept(request, form):
            services.receive_inquiry(form, office, Inquiry.Kind.CONTACT_REQUEST, group=group)
            return redirect("groups:embed_thanks", office.slug)
    return render(
        request,
        "embed/group.html",
        {
            "group": group,
            "form": form,
            "embed_office": office,
            "next_dates": schedules.next_dates(group),
            "pause": schedules.current_pause(group),
        },
    )


@login_not_required
@framed
def thanks(request, office):
    return render(request, "embed/thanks.html", {"embed_office": office})
