"""The integration API, `/api/v1/`: one NinjaAPI that mounts each app's router.

Authentication is a bearer token (`Authorization: Bearer <token>`, issued per account and
checked by `parkcredit.accounts.services.api_token_authenticate`) or the Django session, so a
signed-in user can try the endpoints from the docs page. Session auth keeps Django's CSRF check
for unsafe methods. Every error answers `{"detail": "<中文说明>"}`; 404 means "missing or not
yours" alike, exactly as on the pages.

The docs page is ninja's own Swagger template: with "ninja" in INSTALLED_APPS it loads the
Swagger UI files from /static/ninja/ and starts them from a static file, with the settings in a
non-executable JSON block, so it runs under the site's nonce-based CSP without exceptions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer, SessionAuth

from parkcredit.accounts.models import User
from parkcredit.accounts.services import api_token_authenticate
from parkcredit.enterprises.api import router as enterprises_router
from parkcredit.records.api import batch_router
from parkcredit.records.api import router as records_router


class ChineseJSONRenderer(JSONRenderer):
    """UTF-8 JSON: Chinese text stays readable in curl output and logs instead of \\u escapes."""

    json_dumps_params: Mapping[str, Any] = {"ensure_ascii": False}


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; revoked tokens and disabled accounts are refused."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return api_token_authenticate(token)


class ActiveSessionAuth(SessionAuth):
    """The signed-in session (for the docs page); CSRF stays on for unsafe methods."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


api = NinjaAPI(
    title="园区信用平台接口",
    version="1.0.0",
    description=(
        "企业档案与信用记录的查询接口,以及信用信息批量导入接口(`POST /records/batch`,须带 "
        "`Idempotency-Key` 请求头,同一键重放返回首次结果)。认证方式:在请求头中携带 "
        "`Authorization: Bearer <令牌>`,或在已登录的浏览器中直接调用。访问范围与页面一致:"
        "无权查看与不存在一律返回 404。"
    ),
    auth=[BearerTokenAuth(), ActiveSessionAuth()],
    renderer=ChineseJSONRenderer(),
    # validatorUrl=None: Swagger UI would otherwise fetch a badge from validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None, "defaultModelsExpandDepth": 0}),
)


# --- errors in Chinese ---------------------------------------------------------------------

_PYDANTIC_MESSAGES: dict[str, str] = {
    "missing": "必须填写",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "date_parsing": "应为日期,格式 YYYY-MM-DD",
    "date_from_datetime_parsing": "应为日期,格式 YYYY-MM-DD",
    "date_type": "应为日期,格式 YYYY-MM-DD",
    "string_too_long": "过长",
    "string_too_short": "过短",
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "必须大于 {gt}",
    "less_than_equal": "不能大于 {le}",
    "less_than": "必须小于 {lt}",
    "enum": "不是允许的取值",
    "literal_error": "不是允许的取值",
}


def _submitted_value(request: HttpRequest, source: str, name: str) -> str | None:
    if source == "query":
        return request.GET.get(name)
    if source == "path" and request.resolver_match is not None:
        value = request.resolver_match.kwargs.get(name)
        return None if value is None else str(value)
    return None


def describe_validation_error(request: HttpRequest, error: dict[str, Any]) -> str:
    """One pydantic error as a Chinese sentence naming the parameter and the value sent."""
    loc = [str(part) for part in error.get("loc", ())]
    source, name = (loc[0], ".".join(loc[1:])) if len(loc) > 1 else ("", ".".join(loc))
    template = _PYDANTIC_MESSAGES.get(str(error.get("type", "")))
    try:
        reason = template.format(**error.get("ctx", {})) if template else str(error.get("msg", ""))
    except (KeyError, IndexError):
        reason = str(error.get("msg", ""))
    value = _submitted_value(request, source, name)
    if value is None:
        return f"参数 {name} 无效:{reason}"
    return f"参数 {name} 的值「{value}」无效:{reason}"


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = ";".join(describe_validation_error(request, e) for e in exc.errors) or "请求参数无效"
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request,
        {"detail": "未认证:请在请求头 Authorization 中携带有效的接口令牌(Bearer),或先登录平台"},
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="parkcredit"'
    return response


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    message = str(exc) if exc.args else ""
    return api.create_response(request, {"detail": message or "请求的资源不存在"}, status=404)


_HTTP_MESSAGES = {403: "请求被拒绝:CSRF 校验失败或无权执行该操作", 429: "请求过于频繁,请稍后再试"}


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = str(exc)
    # Our own routers raise HttpError with a Chinese message; ninja's internal ones are English.
    if message.isascii():
        message = _HTTP_MESSAGES.get(exc.status_code, f"请求失败(HTTP {exc.status_code})")
    return api.create_response(request, {"detail": message}, status=exc.status_code)


api.add_router("/enterprises", enterprises_router)
# Records of an enterprise live under its path: /enterprises/{uscc}/records.
api.add_router("/enterprises", records_router)
# Collection: integrators push files or rows of any import profile.
api.add_router("/records", batch_router)
