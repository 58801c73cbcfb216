from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render


@login_not_required
def directory(request):
    """The public group directory (Selbsthilfegruppen-Wegweiser); not built yet."""
    query = request.GET.get("q", "").strip()[:200]
    return render(request, "groups/directory.html", {"query": query})
