"""Django's PostgreSQL backend with server-side binding, so psycopg prepares hot statements.

Why: Django sends every query as text with the parameters inlined (client-side binding), so
PostgreSQL parses and plans the same list query on every request; planning was about half of a
queue page's database time (docs/performance.md). With server-side binding and psycopg's
`prepare_threshold`, a statement seen five times on a connection is prepared and only executed.

The one obstacle is django-pghistory: inside an audit context it prefixes each write with
`SELECT set_config(...); ` and the extended protocol refuses two statements in one. This cursor
runs the prefix and the statement separately, in one transaction (opening one when the
connection is in autocommit), so the triggers still see the context.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.db.backends.postgresql import base, operations

if TYPE_CHECKING:
    import psycopg

    # The stubs leave out psycopg's cursor, the class's other base.
    class _ServerBindingCursor(base.ServerBindingCursor, psycopg.Cursor[Any]): ...

else:
    _ServerBindingCursor = base.ServerBindingCursor

_CONTEXT_PREFIX = "SELECT set_config('pghistory.context_id', "


class SplitContextCursor(_ServerBindingCursor):
    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        if not (isinstance(query, str) and query.startswith(_CONTEXT_PREFIX)):
            return super().execute(query, params, **kwargs)
        head, _sep, statement = query.partition("; ")
        head_params: Mapping[str, Any] | Sequence[Any]
        rest: Mapping[str, Any] | Sequence[Any]
        if isinstance(params, dict):
            head_params, rest = params, params  # named placeholders: each takes its own
        else:
            head_params, rest = tuple(params[:2]), tuple(params[2:])
        if self.connection.autocommit:
            with self.connection.transaction():
                super().execute(head, head_params)
                return super().execute(statement, rest, **kwargs)
        super().execute(head, head_params)
        return super().execute(statement, rest, **kwargs)


class DatabaseOperations(operations.DatabaseOperations):
    def bulk_batch_size(self, fields: list[Any], objs: list[Any]) -> int:
        # Bound parameters are limited to 65 535 per statement (client-side binding had no
        # limit): bulk_create splits into batches that fit.
        if self.connection.settings_dict["OPTIONS"].get("server_side_binding"):
            return max(1, min(len(objs), 65_535 // max(1, len(fields))))
        return super().bulk_batch_size(fields, objs)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        if params.get("cursor_factory") is base.ServerBindingCursor:
            params["cursor_factory"] = SplitContextCursor
        return params
