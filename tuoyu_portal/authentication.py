"""API token authentication in one prepared statement.

DRF's TokenAuthentication builds and compiles a `select_related` ORM query on every request;
on a short queue page that compile cost more than the database did. This is the same check —
the token's user, refused when the token is unknown or the user inactive — as one fixed SQL
statement that PostgreSQL prepares once per connection, the row turned into a User the way the
ORM does it (`Model.from_db`).

Tokens are ``accounts.ApiToken`` rows (api.md 1.1): looked up by the SHA-256 of the key,
refused once expired (``API_TOKEN_TTL``) or revoked (deleted).
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from tuoyu_portal.accounts.models import ApiToken, User
from tuoyu_portal.accounts.tokens import key_hash


@functools.cache
def _statement() -> tuple[str, list[str]]:
    fields = User._meta.concrete_fields
    columns = ", ".join(f'u."{field.column}"' for field in fields)
    # nosec: column names come from the model's own fields; the key is a bound parameter.
    sql = (
        f"SELECT {columns}, t.id, t.created_at, t.expires_at FROM accounts_user u"  # nosec B608
        " JOIN accounts_apitoken t ON t.user_id = u.id WHERE t.key_hash = %s"
    )
    return sql, [field.attname for field in fields]


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        sql, attnames = _statement()
        with connection.cursor() as cursor:
            cursor.execute(sql, [key_hash(key)])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("令牌无效。"))
        token_id, created_at, expires_at = row[-3:]
        if expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(_("令牌已过期，请重新登录。"))
        user = User.from_db(connection.alias, attnames, row[:-3])
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("用户已停用或已删除。"))
        token = ApiToken(id=token_id, user_id=user.pk, created_at=created_at, expires_at=expires_at)
        token.user = user
        return user, token
