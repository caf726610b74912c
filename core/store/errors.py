"""The store's errors: each carries one readable line a user can act on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime


class StoreError(Exception):
    """Any failure of the store that a user can act on; the message is one readable line."""


class NotFoundError(StoreError):
    """A workspace, use case or snapshot that does not exist."""


class ConflictError(StoreError):
    """A save carried a stale version and someone else changed the same fields first (``fields``: their dotted
    paths, empty when unknown); reload and re-apply."""

    def __init__(
        self,
        use_case_id: str,
        changed_by: str,
        changed_at: datetime,
        current_version: int,
        reason: str | None = None,
        fields: tuple[str, ...] = (),
    ) -> None:
        self.use_case_id = use_case_id
        self.fields = fields
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
    """An import that failed validation; ``errors`` holds one "json.path: message" per problem.

    ``unreported``: problems found beyond those listed; ``stopped``: checking stopped early, so there may be
    more still. Either adds a last line to ``errors``, e.g. "$: … and at least 1,950 more (checking stopped
    after 50 problems)"; the message shows the first five and counts the rest.
    """

    def __init__(self, errors: Sequence[str], unreported: int = 0, stopped: bool = False) -> None:
        listed = list(errors)
        self.unreported, self.stopped = unreported, stopped
        self.errors = [*listed, *_summary(len(listed), unreported, stopped)]
        hidden = max(len(listed) - 5, 0) + unreported
        at_least = "at least " if stopped else ""
        if hidden:
            more = f" (and {at_least}{hidden:,} more{'; checking stopped early' if stopped else ''})"
        else:
            more = " (checking stopped early)" if stopped else ""
        super().__init__(f"import rejected: {'; '.join(listed[:5])}{more}")


def _summary(listed: int, unreported: int, stopped: bool) -> list[str]:
    if stopped and unreported:
        return [f"$: … and at least {unreported:,} more (checking stopped after {listed} problems)"]
    if stopped:
        return [f"$: … checking stopped after {listed} problems; the rest of the file was not checked"]
    return [f"$: … and {unreported:,} more"] if unreported else []
