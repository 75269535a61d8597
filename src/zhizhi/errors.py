"""The one error hierarchy of zhizhi: every message names the values and says what to do next."""

from __future__ import annotations


class ZhizhiError(Exception):
    """Base of every error zhizhi raises on purpose.

    `terminal` errors come from bad data or configuration and must not be retried;
    transient ones (network, locks) may succeed when tried again.
    """

    code = "error"
    status = 400
    terminal = True

    def __init__(self, message: str, *, zh: str | None = None, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = zh
        self.details = details or []

    def localized(self, locale: str) -> str:
        """The message in the UI's language, where a Chinese one was given."""
        return self.message_zh if locale == "zh-CN" and self.message_zh else self.message


class ConfigError(ZhizhiError):
    """The workspace configuration is missing or invalid."""

    code = "config_invalid"


class WorkspaceNotFoundError(ConfigError):
    """No workspace at the given place."""

    code = "workspace_not_found"


class DatabaseUnavailableError(ZhizhiError):
    """The database could not be reached."""

    code = "database_unavailable"
    status = 503
    terminal = False


class DatabaseBusyError(ZhizhiError):
    """The database's write lock was held by another process (a worker, an ingest) for longer than zhizhi waits."""

    code = "database_busy"
    status = 503
    terminal = False


class ReadOnlyError(ZhizhiError):
    """The store cannot be written here (a read-only copy, a folder the user may only read): reading still works."""

    code = "read_only"
    status = 503


class SchemaOutdatedError(ZhizhiError):
    """The database has not been migrated to the schema this version needs."""

    code = "schema_outdated"
    status = 503


class InputError(ZhizhiError):
    """A value given by the caller is invalid."""

    code = "invalid_input"
    status = 422


class NotFoundError(ZhizhiError):
    """The object does not exist, or is outside the caller's scope."""

    code = "not_found"
    status = 404


class ConflictError(ZhizhiError):
    """The object already exists or is in a state that forbids the change."""

    code = "conflict"
    status = 409


class AuthenticationError(ZhizhiError):
    """The caller is not signed in, or the credentials were refused."""

    code = "unauthenticated"
    status = 401


class PermissionDeniedError(ZhizhiError):
    """The caller's roles do not allow the action."""

    code = "forbidden"
    status = 403


class RateLimitedError(ZhizhiError):
    """Too many attempts in a short time."""

    code = "rate_limited"
    status = 429
    terminal = False

    def __init__(self, message: str, *, retry_after: int, zh: str | None = None) -> None:
        super().__init__(message, zh=zh)
        self.retry_after = retry_after


class CsrfError(PermissionDeniedError):
    """A form or cookie-authenticated API call came without a valid CSRF token."""

    code = "csrf_failed"
