from django.conf import settings
from django.utils import translation


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
