"""Language selection: Chinese unless the person chose English in the language switch."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChoiceLocaleMiddleware(LocaleMiddleware):
    """Like Django's LocaleMiddleware, but the browser's Accept-Language is not consulted.

    The platform is Chinese first: a park office PC or a phone that scans an enterprise code may
    well send an English Accept-Language, and the page must still come up in Chinese. Only the
    explicit choice stored by the `set_language` view (the language cookie) switches to English.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        response = super().process_response(request, response)
        # Leave the thread in the default language, so work done outside a request in this
        # thread (tasks, rendering in tests) never inherits the last visitor's choice.
        translation.deactivate()
        return response
