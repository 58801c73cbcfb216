"""Deny by default: every URL of the project is private unless marked public."""

from django.urls import URLPattern, URLResolver, get_resolver, reverse

PUBLIC_NAMES = {
    "home",
    "office_public",
    "legal_page",
    "office_legal_page",
    "healthz",
    "set_language",
    "groups:directory",
    "groups:public_group",
    "groups:group_calendar",
    "groups:founding_groups",
    "groups:founding_interest",
    "groups:thanks",
    "groups:print_directory",
    "hsds:index",
    "hsds:openapi",
    "hsds:datapackage",
    "hsds:services",
    "hsds:service",
    "hsds:organizations",
    "hsds:organization",
    "hsds:taxonomies",
    "hsds:taxonomy",
    "hsds:taxonomy_terms",
    "hsds:taxonomy_term",
    "hsds:service_at_locations",
    "hsds:service_at_location",
    "groups:embed_directory",
    "groups:embed_group",
    "groups:embed_thanks",
    "groups:self_service",  # the one-time link of the yearly data check is the key
    "groups:referral_follow_up",  # the one-time link of a referral's follow-up is the key
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "accept_invitation",
    "starters:calendar_feed",
    # The volunteers' app: the same for everyone, fetched by a phone without cookies.
    "starters:app_manifest",
    "starters:service_worker",
    "starters:offline",
    "starters:apply",
    "starters:office_apply",
    "starters:apply_thanks",
    "admin:login",
}


def walk(patterns, namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or namespace
            if entry.namespace and namespace:
                inner = f"{namespace}:{entry.namespace}"
            yield from walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}:{entry.name}" if namespace else entry.name, entry


def login_not_required(callback):
    # Set by django.contrib.auth.decorators.login_not_required (also on class views).
    return getattr(callback, "login_required", True) is False


def test_only_the_listed_views_are_public():
    public = {
        name
        for name, pattern in walk(get_resolver().url_patterns)
        if login_not_required(pattern.callback)
    }
    assert public == PUBLIC_NAMES


def test_anonymous_requests_to_private_pages_go_to_login(client, db):
    for name in ["dashboard", "starters:home", "network_overview", "password_change"]:
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name
