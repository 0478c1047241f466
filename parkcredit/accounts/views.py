"""Account pages: login, logout, password change, 账号安全, 用户管理, 接口令牌.

Each view parses a form, calls one service or selector and renders.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from parkcredit.accounts import selectors, services
from parkcredit.accounts.forms import (
    LoginForm,
    PasswordChangeForm,
    RoleOrganisationForm,
    TokenCreateForm,
    UnlockForm,
    UserCreateForm,
)
from parkcredit.accounts.models import Role, User
from parkcredit.accounts.permissions import role_required
from parkcredit.common.client import client_ip
from parkcredit.common.forms import apply_service_errors

LOGIN_NOTICES = {
    "idle": gettext_lazy("由于长时间未操作,您已自动退出,请重新登录。"),
    "logout": gettext_lazy("您已安全退出。"),
}


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(default)


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request, settings.LOGIN_REDIRECT_URL))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_attempt(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
        except services.LoginRefused as refused:
            form.add_error(None, refused.message)
        else:
            target = _safe_next(request, settings.LOGIN_REDIRECT_URL)
            if services.password_expired(user):
                return redirect(reverse("accounts:password_change") + "?" + urlencode({"next": target}))
            return redirect(target)
    notice = LOGIN_NOTICES.get(request.GET.get("reason", ""))
    return render(
        request,
        "accounts/login.html",
        {"form": form, "notice": notice, "next": request.POST.get("next") or request.GET.get("next", "")},
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    services.logout_user(request=request)
    return redirect(resolve_url(settings.LOGOUT_REDIRECT_URL) + "?reason=logout")


@sensitive_post_parameters("old_password", "new_password", "new_password2")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            # Keeps this session signed in; every other session of the user ends.
            update_session_auth_hash(request, user)
            messages.success(request, _("密码已修改。"))
            return redirect(_safe_next(request, settings.LOGIN_REDIRECT_URL))
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "expired": services.password_expired(user),
            "first_time": user.password_changed_at is None,
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
    )


# --- 账号安全 (security administrator) ---------------------------------------------------------


@never_cache
@role_required(Role.SECURITY_ADMIN)
def security_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/security.html",
        {
            "failures": selectors.failed_login_list(),
            "locks": selectors.lock_list(),
            "unlock_form": UnlockForm(),
        },
    )


@require_POST
@role_required(Role.SECURITY_ADMIN)
def security_unlock_view(request: HttpRequest) -> HttpResponse:
    form = UnlockForm(request.POST)
    if form.is_valid():
        services.lockout_clear(
            actor=_actor(request),
            username=form.cleaned_data["username"],
            address=form.cleaned_data["address"] or None,
            ip=client_ip(request),
        )
        target = form.cleaned_data["username"] or form.cleaned_data["address"]
        messages.success(request, _("已解除 “%(target)s” 的锁定。") % {"target": target})
    else:
        for error in form.errors.values():
            messages.error(request, " ".join(str(e) for e in error))
    return redirect("accounts:security")


# --- 用户管理 (system administrator) -----------------------------------------------------------


@role_required(Role.SYSTEM_ADMIN)
def users_view(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.user_list(), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/users.html", {"page": page, "users": page.object_list})


@sensitive_post_parameters("password", "password2")
@require_http_methods(["GET", "POST"])
@role_required(Role.SYSTEM_ADMIN)
def user_create_view(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=_actor(request),
                username=data["username"],
                full_name=data["full_name"],
                role=data["role"],
                organisation=data["organisation"],
                password=data["password"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("已创建用户 “%(username)s”。") % {"username": user.username})
            return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form, "title": _("新建用户")})


@require_http_methods(["GET", "POST"])
@role_required(Role.SYSTEM_ADMIN)
def user_role_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = selectors.user_get(pk=pk)
    initial = {"role": user.role, "organisation": user.organisation_id}
    form = RoleOrganisationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_role(
                actor=_actor(request),
                user=user,
                role=form.cleaned_data["role"],
                organisation=form.cleaned_data["organisation"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("已修改 “%(username)s” 的角色。") % {"username": user.username})
            return redirect("accounts:users")
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "title": _("修改角色:%(name)s") % {"name": user.username}, "subject": user},
    )


@require_POST
@role_required(Role.SYSTEM_ADMIN)
def user_active_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = selectors.user_get(pk=pk)
    active = request.POST.get("active") == "1"
    services.user_set_active(actor=_actor(request), user=user, active=active, ip=client_ip(request))
    if active:
        messages.success(request, _("已启用 “%(username)s”。") % {"username": user.username})
    else:
        messages.success(request, _("已停用 “%(username)s”。") % {"username": user.username})
    return redirect("accounts:users")


# --- 接口令牌 ------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@role_required(*services.TOKEN_ROLES)
def tokens_view(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = TokenCreateForm(request.POST or None)
    raw_token = None
    if request.method == "POST" and form.is_valid():
        try:
            raw_token, _token = services.api_token_create(
                actor=actor, user=actor, name=form.cleaned_data["name"], ip=client_ip(request)
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            # The raw token is shown in this response only, never via a redirect or the session.
            form = TokenCreateForm()
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": selectors.api_token_list_for(actor), "raw_token": raw_token},
    )


@require_POST
@role_required(*services.TOKEN_ROLES)
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    token = selectors.api_token_get_for_actor(actor, pk)
    try:
        services.api_token_revoke(actor=actor, token=token, ip=client_ip(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已吊销令牌 “%(name)s”。") % {"name": token.name})
    return HttpResponseRedirect(reverse("accounts:tokens"))
