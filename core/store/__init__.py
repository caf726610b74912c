"""Workspaces that never lose a workshop's work: persistence, audit trail, snapshots (S18, S11 audit spirit).

SQLAlchemy Core over SQLite (default ``data/workbench.db``) or PostgreSQL (``postgresql+psycopg://…``).
Each use case is one row holding the JSON document of :class:`core.models.UseCase` plus an integer
``version`` for optimistic concurrency; every save is one transaction that also appends one audit row per
changed field path. The database itself refuses UPDATE and DELETE on ``audit_log``.

Example::

    store = Store("sqlite:///data/workbench.db")
    workspace_id = store.import_json(Path("workspace.json").read_text(), actor="Ada")
    loaded = store.load(workspace_id)
    use_case = with_value(loaded.workspace.use_cases[0], "roi.adoption", 0.5)
    store.save_use_case(workspace_id, use_case, loaded.versions[use_case.id], actor="Ada")

One module per concept; :class:`Store` is composed from one mixin per concept over the shared engine:

- :mod:`~core.store.engine`: URL → engine, SQLite settings, transactions with retries, backup
- :mod:`~core.store.schema`: tables, append-only triggers, migrations (``DATABASE_SCHEMA_VERSION``)
- :mod:`~core.store.documents`: workspace JSON: strict import parse, canonical export, row documents
- :mod:`~core.store.json_scan`: the linear scan of JSON bytes and the parse in pieces that shares the interpreter
- :mod:`~core.store.workspaces`: create, import, rename, duplicate, list, settings, sample workspace
- :mod:`~core.store.use_cases`: load, get, save with versions, delete/restore, batch edits, the cache
- :mod:`~core.store.audit`: append, query, CSV, gate decisions, verify, retention, erasure
- :mod:`~core.store.chain`: the audit trail's hash chain; :mod:`~core.store.actors`: pseudonyms and identities
- :mod:`~core.store.snapshots`: create, list, restore
- :mod:`~core.store.plans`: saved S20 portfolio plans; :mod:`~core.store.dependencies`: "needs" stay inside
- :mod:`~core.store.rounds`: S21 workshop rounds: open, join, answer, close, reveal, adopt
- :mod:`~core.store.drafts`: refused drafts, one per workspace, use case and person, until applied or discarded
- :mod:`~core.store.access`: S23 roles per workspace (owner, editor, viewer) on every write, members, purge
- :mod:`~core.store.rows`, :mod:`~core.store.values`, :mod:`~core.store.errors`, :mod:`~core.store.records`:
  row lookups, stored value formats, errors, returned records
"""

from __future__ import annotations

from core.identity import Identity, principal_keys
from core.store.access import (
    ACTION_ROLES,
    ADMINS_ENV,
    ROLES,
    AccessOps,
    Member,
    PermissionDenied,
    Role,
)
from core.store.audit import COALESCE_WINDOW_S, AuditOps, coalesce_entries
from core.store.chain import ChainReport
from core.store.documents import (
    ALWAYS_STORED_FIELDS,
    MAX_IMPORT_BYTES,
    MAX_IMPORT_DEPTH,
    MAX_REPORTED_ERRORS,
    canonical_json,
    parse_workspace_json,
    use_case_document,
    validation_messages,
)
from core.store.drafts import MAX_DRAFT_CHARS, MAX_DRAFT_FIELDS, DraftOps, StoredDraft
from core.store.engine import (
    BUSY_TIMEOUT_S,
    DATABASE_URL_ENV,
    DEFAULT_DATABASE_PATH,
    DEFAULT_DATABASE_URL,
    ROOT,
    WRITE_ATTEMPTS,
)
from core.store.errors import ConflictError, ImportRejected, NotFoundError, StoreError
from core.store.plans import PLAN_FIELD_PATH, PlanOps, StoredPlan
from core.store.records import (
    AuditEntry,
    DeletedUseCase,
    ErasureReport,
    LoadedWorkspace,
    SnapshotInfo,
    StoreNotice,
    WorkspaceInfo,
)
from core.store.rounds import (
    JOIN_CODE_ALPHABET,
    Adoption,
    NameTakenError,
    Participant,
    RoundAnswer,
    RoundClosedError,
    RoundInfo,
    RoundOps,
    RoundProgress,
    UseCaseBrief,
)
from core.store.schema import (
    DATABASE_SCHEMA_VERSION,
    audit_log_table,
    metadata,
    portfolio_plans_table,
    save_requests_table,
    schema_version_table,
    snapshots_table,
    store_meta_table,
    use_cases_table,
    workspace_members_table,
    workspaces_table,
)
from core.store.snapshots import SnapshotOps
from core.store.use_cases import UseCaseCache, UseCaseOps
from core.store.values import MAX_ACTOR_LENGTH
from core.store.workspaces import SAMPLE_ACTOR, SAMPLE_WORKSPACE_PATH, WorkspaceOps


class Store(AccessOps, WorkspaceOps, UseCaseOps, AuditOps, SnapshotOps, PlanOps, RoundOps, DraftOps):
    """The workbench's persistence (S18): workspaces, use cases with versions, audit trail, snapshots, plans (S20),
    workshop rounds (S21), refused drafts (issue 13).

    ``url`` None → env ``WORKBENCH_DATABASE_URL``, else SQLite at ``data/workbench.db`` in the repository.
    ``admins``: the instance admins' e-mails (S23), None → env ``WORKBENCH_ADMINS``.
    Creates the database and its tables on first use; safe for many threads and several processes.
    ``audit_secret`` keys the audit trail's hashes of people (None → env ``WORKBENCH_AUDIT_SECRET``). On opening,
    :meth:`startup_check` re-creates missing audit triggers, verifies the chain and applies retention; what it
    found is in ``notices`` (``check=False`` skips it, e.g. for ``audit verify``, which reports it itself).
    """

    def __init__(self, url: str | None = None, admins: frozenset[str] | None = None, audit_secret: str | None = None,
                 check: bool = True) -> None:
        self._cache = UseCaseCache()
        super().__init__(url, admins, audit_secret)
        if check:
            self.startup_check(background=True)


__all__ = [
    "ACTION_ROLES",
    "ADMINS_ENV",
    "ALWAYS_STORED_FIELDS",
    "BUSY_TIMEOUT_S",
    "COALESCE_WINDOW_S",
    "DATABASE_SCHEMA_VERSION",
    "DATABASE_URL_ENV",
    "DEFAULT_DATABASE_PATH",
    "DEFAULT_DATABASE_URL",
    "JOIN_CODE_ALPHABET",
    "MAX_ACTOR_LENGTH",
    "MAX_DRAFT_CHARS",
    "MAX_DRAFT_FIELDS",
    "MAX_IMPORT_BYTES",
    "MAX_IMPORT_DEPTH",
    "MAX_REPORTED_ERRORS",
    "PLAN_FIELD_PATH",
    "ROLES",
    "ROOT",
    "SAMPLE_ACTOR",
    "SAMPLE_WORKSPACE_PATH",
    "WRITE_ATTEMPTS",
    "Adoption",
    "AuditEntry",
    "ChainReport",
    "ConflictError",
    "DeletedUseCase",
    "ErasureReport",
    "Identity",
    "ImportRejected",
    "LoadedWorkspace",
    "Member",
    "NameTakenError",
    "NotFoundError",
    "Participant",
    "PermissionDenied",
    "Role",
    "RoundAnswer",
    "RoundClosedError",
    "RoundInfo",
    "RoundProgress",
    "SnapshotInfo",
    "Store",
    "StoreError",
    "StoreNotice",
    "StoredDraft",
    "StoredPlan",
    "UseCaseBrief",
    "WorkspaceInfo",
    "audit_log_table",
    "canonical_json",
    "coalesce_entries",
    "metadata",
    "parse_workspace_json",
    "portfolio_plans_table",
    "principal_keys",
    "save_requests_table",
    "schema_version_table",
    "snapshots_table",
    "store_meta_table",
    "use_case_document",
    "use_cases_table",
    "validation_messages",
    "workspace_members_table",
    "workspaces_table",
]
