"""Writes for accounts and access: login and lock-out, passwords, users and roles, API tokens.

三员分立 (等保 CES1-08): the system administrator manages accounts and roles, the security
administrator manages lock-outs, the auditor only reads the audit log. No role can both grant
rights and read the audit trail of those grants. Every change writes an audit entry in the same
transaction.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from parkcredit.accounts.lockout import LockoutPolicy, ip_locked_until, username_locked_until
from parkcredit.accounts.models import (
    ROLE_ORGANISATION_KIND,
    ApiToken,
    LockoutRelease,
    LockoutScope,
    LoginAttempt,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from parkcredit.audit.services import audit_log
from parkcredit.common.client import client_ip
from parkcredit.common.crypto import sm3_hex

# Roles that may hold API tokens through the web page (integrations run under these accounts).
TOKEN_ROLES = frozenset({Role.PARK_ADMIN, Role.SYSTEM_ADMIN})
# Session key of the last request time, read by IdleSessionMiddleware.
LAST_ACTIVITY_KEY = "_parkcredit_last_activity"

_USERNAME_MAX = 150
_TOKEN_PREFIX_LENGTH = 8
_TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)
_RAW_TOKEN_MAX = 200


def _require_role(actor: Any, *roles: str) -> None:
    if not getattr(actor, "is_authenticated", False) or actor.role not in roles:
        raise PermissionDenied(_("当前角色无权执行此操作"))


# --- Login, logout ----------------------------------------------------------------------------


class LoginRefused(Exception):
    """A login was refused; `message` is safe to show (it never says whether the name exists)."""

    def __init__(self, message: str, *, locked: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.locked = locked


def _wrong_credentials() -> LoginRefused:
    return LoginRefused(_("用户名或密码错误"))


def _locked(until: datetime, now: datetime) -> LoginRefused:
    minutes = max(1, -(-int((until - now).total_seconds()) // 60))
    return LoginRefused(
        _("登录失败次数过多,已暂时锁定,请 %(minutes)d 分钟后再试,或联系安全管理员。") % {"minutes": minutes},
        locked=True,
    )


def _lock_end(username: str, ip: str | None, now: datetime, policy: LockoutPolicy) -> datetime | None:
    ends = [
        end
        for end in (
            username_locked_until(username, now=now, policy=policy),
            ip_locked_until(ip, now=now, policy=policy),
        )
        if end is not None
    ]
    return max(ends, default=None)


def login_attempt(*, request: HttpRequest, username: str, password: str) -> User:
    """Sign a user in, or raise LoginRefused.

    Unknown names, wrong passwords and inactive accounts all get the same answer, and unknown
    names are counted and locked like real ones, so neither the message nor the lock-out tells
    an attacker which accounts exist. Django's `authenticate` hashes the password for unknown
    names too, which keeps the response time alike.
    """
    username = username.strip()[:_USERNAME_MAX]
    ip = client_ip(request)
    policy = LockoutPolicy.from_settings()
    now = timezone.now()
    anonymous = AnonymousUser()

    end = _lock_end(username, ip, now, policy)
    if end is not None:
        # A refused attempt is a failure too: guessing on during a lock prolongs it.
        with transaction.atomic():
            LoginAttempt.objects.create(username=username, ip=ip, at=now, succeeded=False)
            audit_log(
                actor=anonymous,
                action="auth.locked",
                detail={"username": username, "until": end.isoformat()},
                ip=ip,
                outcome="denied",
            )
        raise _locked(end, now)

    user = authenticate(request, username=username, password=password)
    if user is None:
        with transaction.atomic():
            LoginAttempt.objects.create(username=username, ip=ip, at=now, succeeded=False)
            audit_log(
                actor=anonymous,
                action="auth.login_failed",
                detail={"username": username},
                ip=ip,
                outcome="failure",
            )
            end = _lock_end(username, ip, now, policy)
            if end is not None:
                audit_log(
                    actor=anonymous,
                    action="auth.locked",
                    detail={"username": username, "until": end.isoformat()},
                    ip=ip,
                    outcome="failure",
                )
        raise _locked(end, now) if end is not None else _wrong_credentials()

    assert isinstance(user, User)
    with transaction.atomic():
        # login() rotates the session key, so a session id planted before login is worthless.
        login(request, user)
        request.session[LAST_ACTIVITY_KEY] = int(now.timestamp())
        LoginAttempt.objects.create(username=username, ip=ip, at=now, succeeded=True)
        audit_log(actor=user, action="auth.login", detail={"username": username}, ip=ip, outcome="success")
    return user


def logout_user(*, request: HttpRequest) -> None:
    """Sign out and delete the server-side session (CES1-02)."""
    user = request.user
    if getattr(user, "is_authenticated", False):
        with transaction.atomic():
            audit_log(
                actor=user,
                action="auth.logout",
                detail={"username": user.get_username()},
                ip=client_ip(request),
            )
    logout(request)


# --- Passwords -------------------------------------------------------------------------------


def password_expired(user: User) -> bool:
    """Is the user due to change the password?

    A user who never chose a password (created by an administrator, or before rotation was
    introduced) is due at once. PASSWORD_MAX_AGE_DAYS = 0 turns rotation off altogether.
    """
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    if max_age <= 0:
        return False
    if user.password_changed_at is None:
        return True
    return timezone.now() - user.password_changed_at >= timedelta(days=max_age)


def password_change(*, user: User, old_password: str, new_password: str, ip: str | None = None) -> None:
    """Change the user's own password after checking the current one and the password policy.

    Raises ValidationError keyed by form field (`old_password`, `new_password`). The caller keeps
    the current session valid with `update_session_auth_hash`; other sessions of the user end.
    """
    if not user.check_password(old_password):
        with transaction.atomic():
            audit_log(
                actor=user,
                action="auth.password_change_failed",
                obj=user,
                detail={"username": user.username},
                ip=ip,
                outcome="failure",
            )
        raise ValidationError({"old_password": _("原密码不正确")})
    if new_password == old_password:
        raise ValidationError({"new_password": _("新密码不能与原密码相同")})
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from exc
    with transaction.atomic():
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "password_changed_at"])
        audit_log(
            actor=user, action="auth.password_changed", obj=user, detail={"username": user.username}, ip=ip
        )


# --- Users and roles (system administrator) ----------------------------------------------------


def _check_role_fits(role: str, organisation: Organisation | None) -> None:
    if role not in Role.values:
        raise ValidationError({"role": _("角色 “%(role)s” 不存在") % {"role": role}})
    if organisation is None:
        raise ValidationError({"organisation": _("请选择所属组织")})
    expected = ROLE_ORGANISATION_KIND[role]
    if organisation.kind != expected:
        raise ValidationError(
            {
                "organisation": _(
                    "角色 “%(role)s” 只能属于 “%(expected)s” 类组织,所选组织 “%(org)s” 属于 “%(kind)s”"
                )
                % {
                    "role": Role(role).label,
                    "expected": OrganisationKind(expected).label,
                    "org": organisation.name,
                    "kind": OrganisationKind(organisation.kind).label,
                }
            }
        )


def user_create(
    *,
    actor: Any,
    username: str,
    full_name: str,
    role: str,
    organisation: Organisation | None,
    password: str,
    ip: str | None = None,
) -> User:
    """Create an account (system administrator only).

    The password is an initial one: `password_changed_at` stays empty, so the person must
    choose their own password at the first login.
    """
    _require_role(actor, Role.SYSTEM_ADMIN)
    username = username.strip()
    if not username:
        raise ValidationError({"username": _("请填写用户名")})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("用户名 “%(username)s” 已被使用") % {"username": username}})
    _check_role_fits(role, organisation)
    user = User(username=username, full_name=full_name.strip(), role=role, organisation=organisation)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc
    user.set_password(password)
    with transaction.atomic():
        user.save()
        audit_log(
            actor=actor,
            action="user.created",
            obj=user,
            detail={
                "username": user.username,
                "role": role,
                "organisation": organisation.name if organisation else "",
            },
            ip=ip,
        )
    return user


def user_update_role(
    *, actor: Any, user: User, role: str, organisation: Organisation | None, ip: str | None = None
) -> User:
    """Change a user's role and organisation (system administrator only, never their own)."""
    _require_role(actor, Role.SYSTEM_ADMIN)
    if actor.pk == user.pk:
        # Otherwise a system administrator could make themselves auditor of their own grants.
        raise PermissionDenied(_("不能修改自己的角色"))
    _check_role_fits(role, organisation)
    before = {"role": user.role, "organisation": user.organisation.name if user.organisation else ""}
    with transaction.atomic():
        user.role = role
        user.organisation = organisation
        user.save(update_fields=["role", "organisation"])
        audit_log(
            actor=actor,
            action="user.role_changed",
            obj=user,
            detail={
                "username": user.username,
                "before": before,
                "after": {"role": role, "organisation": organisation.name if organisation else ""},
            },
            ip=ip,
        )
    return user


def user_set_active(*, actor: Any, user: User, active: bool, ip: str | None = None) -> User:
    """Disable or re-enable an account (system administrator only, CES1-05…07).

    A disabled user's sessions stop working at the next request: the authentication backend
    refuses inactive users when it reloads the user from the session.
    """
    _require_role(actor, Role.SYSTEM_ADMIN)
    if actor.pk == user.pk:
        raise PermissionDenied(_("不能停用自己的账号"))
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit_log(
            actor=actor,
            action="user.activated" if active else "user.deactivated",
            obj=user,
            detail={"username": user.username},
            ip=ip,
        )
    return user


# --- Lock-outs (security administrator) --------------------------------------------------------


def lockout_clear(
    *, actor: Any, username: str = "", address: str | None = None, ip: str | None = None
) -> None:
    """End a lock-out early for a username and/or a client `address` (security administrator only).

    `ip` is where the security administrator works from, as in the other services.
    """
    _require_role(actor, Role.SECURITY_ADMIN)
    username = username.strip()
    if not username and not address:
        raise ValidationError(_("请指定要解除锁定的用户名或来源地址"))
    now = timezone.now()
    with transaction.atomic():
        if username:
            LockoutRelease.objects.create(
                scope=LockoutScope.USERNAME, value=username, at=now, released_by=actor
            )
        if address:
            LockoutRelease.objects.create(scope=LockoutScope.IP, value=address, at=now, released_by=actor)
        audit_log(
            actor=actor,
            action="auth.unlocked",
            detail={"username": username, "address": address or ""},
            ip=ip,
        )


# --- API tokens --------------------------------------------------------------------------------


def _token_digest(raw: str) -> str:
    return sm3_hex(raw.encode("utf-8"))


def api_token_create(*, actor: Any, user: User, name: str, ip: str | None = None) -> tuple[str, ApiToken]:
    """Issue a token for `user`; the raw token is returned this once and never stored.

    From the web a park or system administrator issues tokens for their own account only (a
    token for someone else would let the issuer act as them). `actor=None` is the server
    operator at the command line, who may issue a token for any active account.
    """
    if actor is not None:
        _require_role(actor, *TOKEN_ROLES)
        if actor.pk != user.pk:
            raise PermissionDenied(_("只能为自己的账号创建接口令牌"))
    if not user.is_active:
        raise ValidationError(
            {"user": _("账号 “%(username)s” 已停用,不能创建令牌") % {"username": user.username}}
        )
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请填写令牌名称")})
    if len(name) > 100:
        raise ValidationError({"name": _("令牌名称最多 100 个字符,当前 %(n)d 个") % {"n": len(name)}})
    raw = secrets.token_urlsafe(32)
    while raw.startswith("-"):
        # The prefix is what staff type after `parkcredit token revoke`; one starting with "-"
        # would read as an option there (one token in 64 would be hard to revoke).
        raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, digest=_token_digest(raw), prefix=raw[:_TOKEN_PREFIX_LENGTH]
        )
        audit_log(
            actor=actor,
            action="api_token.created",
            obj=token,
            detail={"username": user.username, "name": name, "prefix": token.prefix},
            ip=ip,
        )
    return raw, token


def api_token_revoke(*, actor: Any, token: ApiToken, ip: str | None = None) -> ApiToken:
    """Revoke a token: its owner, a system or security administrator, or the operator (actor=None)."""
    if actor is not None:
        is_owner = getattr(actor, "is_authenticated", False) and actor.pk == token.user_id
        if not is_owner:
            _require_role(actor, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN)
    if token.revoked_at is not None:
        raise ValidationError(_("令牌 “%(prefix)s…” 已经吊销") % {"prefix": token.prefix})
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_log(
            actor=actor,
            action="api_token.revoked",
            obj=token,
            detail={"username": token.user.username, "name": token.name, "prefix": token.prefix},
            ip=ip,
        )
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The active user a raw bearer token belongs to, or None.

    Only the SM3 digest is stored and looked up, so a database reader cannot use the tokens and
    the lookup leaks nothing about the secret through timing. Revoked tokens and disabled users
    are refused. `last_used_at` is written at most once a minute to spare the database.
    """
    if not raw or len(raw) > _RAW_TOKEN_MAX:
        return None
    digest = _token_digest(raw)
    token = ApiToken.objects.select_related("user").filter(digest=digest).first()
    if token is None or not hmac.compare_digest(token.digest, digest):
        return None
    if token.revoked_at is not None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= _TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def user_bootstrap_system_admin(*, username: str, full_name: str, password: str) -> User:
    """Create the first system administrator from the server console.

    Separated duties mean every other account is created by a system administrator through the
    web; this is the one way in on a new installation, so it refuses once an active system
    administrator exists. The console operator is the actor (recorded as the system).
    """
    if User.objects.filter(role=Role.SYSTEM_ADMIN, is_active=True).exists():
        raise ValidationError(_("已存在启用的系统管理员;其他账号请由系统管理员在“用户管理”中创建"))
    organisation = Organisation.objects.filter(kind=OrganisationKind.PARK_DEPARTMENT, code="zhb").first()
    if organisation is None:
        raise ValidationError(_("找不到园区部门“综合部”(编码 zhb),请先执行 migrate"))
    username = username.strip()
    if not username:
        raise ValidationError({"username": _("请填写用户名")})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("用户名 “%(username)s” 已被使用") % {"username": username}})
    user = User(
        username=username,
        full_name=full_name.strip(),
        role=Role.SYSTEM_ADMIN,
        organisation=organisation,
        is_staff=True,
        password_changed_at=timezone.now(),
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    with transaction.atomic():
        user.save()
        audit_log(
            actor=None,
            action="user.bootstrapped",
            obj=user,
            detail={"username": user.username, "role": Role.SYSTEM_ADMIN},
        )
    return user
