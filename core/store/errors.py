"""The store's errors: each carries one readable line a user can act on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime


class StoreError(Exception):
    """Any failure of the store that a user can act on; the message is one readable line."""


class NotFoundError(StoreError):
    """A workspace, use case or snapshot that does not exist."""


class ConflictError(StoreError):
    """A save carried a stale version: someone else changed the use case first; reload and re-apply."""

    def __init__(
        self,
        use_case_id: str,
        changed_by: str,
        changed_at: datetime,
        current_version: int,
        reason: str | None = None,
    ) -> None:
        self.use_case_id = use_case_id
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.current_version = current_version
        when = changed_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        detail = reason or "was changed"
        super().__init__(
            f"use case '{use_case_id}' {detail} by {changed_by} at {when} (now version {current_version}); "
            "reload it and apply your edit again"
        )


class ImportRejected(StoreError):
    """An import that failed validation; ``errors`` holds one "json.path: message" per problem."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        shown = "; ".join(self.errors[:5])
        more = f" (and {len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
        super().__init__(f"import rejected: {shown}{more}")
