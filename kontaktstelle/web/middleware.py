from django.conf import settings
from django.utils import translation
from django.utils.cache import add_never_cache_headers


class LanguageMiddleware:
    """German for everyone unless they chose another language.

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: the
    office works in German, and English is offered as a choice (stored in the
    language cookie by Django's set_language view).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.headers["Vary"] = ", ".join(filter(None, [response.headers.get("Vary"), "Cookie"]))
        return response


def build_policy(directives):
    """The header value of a policy given as {directive: [sources]}, in that order."""
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


class ContentSecurityPolicyMiddleware:
    """Sends settings.SECURE_CSP as the Content-Security-Policy of every response.

    The setting has the shape of Django 6.0's, whose built-in middleware of the same
    name can replace this one on upgrading. Django's debug pages for 404 and 500 use
    inline styles and scripts, so with DEBUG on they go without the header.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = build_policy(settings.SECURE_CSP)

    def __call__(self, request):
        response = self.get_response(request)
        if settings.DEBUG and response.status_code in (404, 500):
            return response
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class NoStoreForUsersMiddleware:
    """Pages for a logged-in user are never kept by the browser or a proxy.

    They hold personal data (names, phone numbers, who asked for which group), which
    must not stay in a shared computer's cache or come back with the Back button after
    logging out. Static files and anonymous pages stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
