"""Cached access to the Store and the core for every page.

The Store is one cached resource per database URL (env ``WORKBENCH_DATABASE_URL``). Core results
are cached with ``st.cache_data`` keyed on the JSON of the models they read. Every edit goes
through :func:`save_use_case` / :func:`set_fields`, which saves at once with the version the user
last saw; a version conflict is reported (who, when, what) and the page reloads from the Store.
Callbacks never raise: errors become a readable flash message naming the field.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, ParamSpec

import numpy as np
import streamlit as st
from pydantic import ValidationError

from core import gates, roi, scoring
from core.models import (
    COST_BLOCKS,
    FEASIBILITY_WEIGHT_FIELDS,
    ROI_INPUT_FIELDS,
    VALUE_WEIGHT_FIELDS,
    WEIGHT_SUM_TOLERANCE,
    CostBlock,
    InferenceCostInputs,
    RaciRow,
    RoiInputs,
    ScoringInputs,
    ScoringWeights,
    Thresholds,
    UseCase,
    Workspace,
    utc_now,
    with_values,
)
from core.store import ConflictError, LoadedWorkspace, NotFoundError, Store, StoreError, WorkspaceInfo
from ui import formatting, state
from ui.i18n import has, t

if TYPE_CHECKING:
    import pandas as pd

LOGGER = logging.getLogger("workbench.ui")
DATABASE_URL_ENV = "WORKBENCH_DATABASE_URL"
P = ParamSpec("P")


def database_url() -> str | None:
    return os.environ.get(DATABASE_URL_ENV) or None


@st.cache_resource(show_spinner=False)
def _store_for(url: str | None) -> Store:
    store = Store(url)
    store.ensure_sample_workspace()
    return store


def store() -> Store:
    return _store_for(database_url())


def field_label(path: Sequence[Any] | str) -> str:
    """Translated name of a field path such as ("roi", "adoption"), else the dotted path."""
    parts = [str(part) for part in (path.split(".") if isinstance(path, str) else path)]
    dotted = ".".join(parts)
    for candidate in (dotted, *(part for part in reversed(parts) if not part.isdigit())):
        if has(f"field.{candidate}"):
            return t(f"field.{candidate}")
    return dotted or t("error.model")


def readable_errors(error: ValidationError) -> list[str]:
    """Each pydantic error as "field: message", the field translated where the catalog knows it."""
    lines = []
    for item in error.errors():
        message = str(item.get("msg", "")).removeprefix("Value error, ")
        lines.append(f"{field_label(item.get('loc', ()))}: {message}")
    return lines


def report_error(error: BaseException) -> None:
    """Queue a friendly message for ``error``; unexpected errors go to the server log in full."""
    if isinstance(error, ValidationError):
        state.flash("error", "\n\n".join(readable_errors(error)))
    elif isinstance(error, ConflictError):
        state.flash("warning", conflict_message(error))
    elif isinstance(error, (StoreError, ValueError, KeyError)):
        LOGGER.info("rejected edit: %s", error)
        state.flash("error", t("error.rejected", detail=str(error)))
    else:
        LOGGER.exception("unexpected error in the workbench UI")
        state.flash("error", t("error.unexpected"))


def safe_callback(function: Callable[P, Any]) -> Callable[P, None]:
    """Widget callbacks must never raise: a traceback would reach the page."""

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            function(*args, **kwargs)
        except Exception as error:
            report_error(error)

    return wrapper


def conflict_message(error: ConflictError) -> str:
    changed_at = error.changed_at
    when = formatting.timestamp(changed_at, state.language()) if changed_at else formatting.MISSING
    what = _changed_fields(error)
    return t(
        "conflict.message",
        use_case=error.use_case_id,
        who=error.changed_by or "?",
        when=when,
        fields=", ".join(what) if what else formatting.MISSING,
    )


def _changed_fields(error: ConflictError) -> list[str]:
    workspace_id = state.workspace_id()
    if workspace_id is None:
        return []
    try:
        entries = store().audit(workspace_id, error.use_case_id, limit=20)
    except StoreError:
        return []
    latest = [entry for entry in entries if entry.actor == error.changed_by and entry.field_path]
    if error.changed_at is not None:
        latest = [entry for entry in latest if entry.at == error.changed_at] or latest[:5]
    return sorted({field_label(entry.field_path) for entry in latest})[:8]


def selected_workspace_id() -> str:
    """The workspace chosen in this session; StoreError when none is (before the first page run)."""
    workspace_id = state.workspace_id()
    if workspace_id is None:
        raise StoreError("no workspace selected")
    return workspace_id


def workspaces() -> list[WorkspaceInfo]:
    return list(store().list_workspaces())


def current_workspace(infos: Sequence[WorkspaceInfo] | None = None) -> LoadedWorkspace | None:
    """The workspace chosen in the sidebar (first one when none or unknown), fresh from the Store.

    ``infos``: the workspace list when the caller already read it this run (saves a query).
    """
    infos = workspaces() if infos is None else infos
    if not infos:
        return None
    known = {info.id for info in infos}
    workspace_id = state.workspace_id()
    if workspace_id not in known:
        workspace_id = infos[0].id
        state.set_workspace_id(workspace_id)
    try:
        loaded = store().load(workspace_id)
    except NotFoundError:
        state.set_workspace_id(None)
        return None
    state.remember_versions(loaded.versions)
    return loaded


def selected_use_case_row(remember_version: bool = True) -> tuple[UseCase, int] | None:
    """The selected use case and its stored version, read as one row (for fragment reruns).

    Falls back to loading the workspace when nothing valid is selected (first run, deleted use case).
    ``remember_version`` False keeps the version the user last saw, for a queued edit still to be saved.
    """
    workspace_id, use_case_id = state.workspace_id(), state.use_case_id()
    if workspace_id is not None and use_case_id is not None:
        try:
            use_case, version = store().get_use_case(workspace_id, use_case_id)
        except NotFoundError:
            pass
        else:
            if remember_version:
                state.remember_version(use_case.id, version)
            return use_case, version
    loaded = current_workspace()
    use_case = selected_use_case(loaded) if loaded else None
    if loaded is None or use_case is None:
        return None
    return use_case, loaded.versions.get(use_case.id, 0)


def selected_use_case(loaded: LoadedWorkspace) -> UseCase | None:
    """The use case chosen on any page (the first one when none or deleted)."""
    cases = loaded.workspace.use_cases
    if not cases:
        state.set_use_case_id(None)
        return None
    wanted = state.use_case_id()
    for case in cases:
        if case.id == wanted:
            return case
    state.set_use_case_id(cases[0].id)
    return cases[0]


def save_use_case(use_case: UseCase, new: bool = False) -> bool:
    """Save at once; on a version conflict report who changed what and let the page reload."""
    workspace_id = selected_workspace_id()
    expected = None if new else state.seen_version(use_case.id)
    try:
        version = store().save_use_case(workspace_id, use_case, expected_version=expected, actor=state.actor())
    except ConflictError as error:
        state.flash("warning", conflict_message(error))
        return False
    state.remember_version(use_case.id, version)
    return True


def _fresh_use_case(use_case_id: str) -> UseCase:
    workspace_id = selected_workspace_id()
    use_case, _ = store().get_use_case(workspace_id, use_case_id)
    return use_case


def set_fields(use_case_id: str, changes: Mapping[str, Any]) -> bool:
    """Validate dotted-path changes on the stored use case and save them (raises ValidationError)."""
    current = _fresh_use_case(use_case_id)
    updated = with_values(current, dict(changes))
    if updated == current:
        return True
    return save_use_case(updated)


@safe_callback
def on_widget_change(
    use_case_id: str, path: str, widget_key: str, transform: Callable[[Any], Any] | None = None
) -> None:
    """on_change callback: write the widget's value to ``path`` of the use case."""
    value = state.widget_value(widget_key)
    set_fields(use_case_id, {path: transform(value) if transform else value})


@safe_callback
def queue_edit(use_case_id: str, path: str, widget_key: str) -> None:
    """on_change for inputs whose figures must follow the hand (the ROI sliders): only queues the value.

    The run the change triggers draws the figures from the stored use case plus the queued edits
    (:func:`with_queued_edits`), then saves them (:func:`save_queued_edits`) before it draws anything else,
    so the figures reach the browser without waiting for the database's disk sync; every run also saves
    whatever is queued when it starts (``sidebar.load``) and when its guarded body ends.
    """
    state.queue_edit(use_case_id, path, state.widget_value(widget_key))


def has_queued_edits() -> bool:
    return bool(state.queued_edits())


def with_queued_edits(use_case: UseCase) -> UseCase:
    """``use_case`` with this session's queued edits to it applied: validated, not saved.

    An invalid value raises ValidationError (naming the field) and is dropped from the queue.
    """
    changes = {path: value for case_id, path, value in state.queued_edits() if case_id == use_case.id}
    if not changes:
        return use_case
    try:
        return with_values(use_case, changes)
    except ValidationError:
        state.take_queued_edits(use_case.id)
        raise


def save_queued_edits() -> bool:
    """Save the queued edits (one save per use case, checked against the version the user saw) and empty the
    queue; False when one was refused, with the reason (conflict, invalid value) queued as a message."""
    changes_by_use_case: dict[str, dict[str, Any]] = {}
    for use_case_id, path, value in state.take_queued_edits():
        changes_by_use_case.setdefault(use_case_id, {})[path] = value
    saved = True
    for use_case_id, changes in changes_by_use_case.items():
        try:
            saved = set_fields(use_case_id, changes) and saved
        except Exception as error:
            report_error(error)
            saved = False
    return saved


def bind(widget_key: str, model_value: Any) -> str:
    """Seed a widget from the model and return its key (use without ``value=``)."""
    state.sync_widget(widget_key, model_value)
    return widget_key


def save_weights(weights: ScoringWeights) -> None:
    workspace_id = selected_workspace_id()
    store().save_settings(workspace_id, state.actor(), weights=weights)


def save_thresholds(thresholds: Thresholds) -> None:
    workspace_id = selected_workspace_id()
    store().save_settings(workspace_id, state.actor(), thresholds=thresholds)


def raci_errors(rows: Iterable[RaciRow | Mapping[str, Any]]) -> list[str]:
    """S14: one message per deliverable that lacks exactly one A, naming the deliverable."""
    errors = []
    for row in rows:
        deliverable = row.deliverable if isinstance(row, RaciRow) else str(row.get("deliverable", ""))
        accountable = row.accountable if isinstance(row, RaciRow) else (row.get("accountable") or ())
        if isinstance(accountable, str):
            accountable = [part for part in accountable.split(",") if part.strip()]
        if len(accountable) != 1:
            errors.append(t("raci.error_one_a", deliverable=deliverable or "?", count=len(accountable)))
    return errors


def create_workspace(name: str) -> str:
    workspace_id = store().create_workspace(Workspace(name=name), state.actor())
    state.set_workspace_id(workspace_id)
    return workspace_id


def rename_workspace(workspace_id: str, name: str) -> None:
    Workspace(name=name)
    store().rename_workspace(workspace_id, name, state.actor())


def duplicate_workspace(workspace_id: str, name: str) -> str:
    Workspace(name=name)
    new_id = store().duplicate_workspace(workspace_id, name, state.actor())
    state.set_workspace_id(new_id)
    return new_id


@dataclass(frozen=True)
class RoiReadout:
    result: roi.RoiResult
    break_even: dict[str, float | None]


@st.cache_data(max_entries=1024, show_spinner=False)
def _roi_readout(inputs_json: str) -> RoiReadout:
    inputs = RoiInputs.model_validate_json(inputs_json)
    return RoiReadout(
        result=roi.compute_roi(inputs),
        break_even={field: roi.break_even(inputs, field) for field in ROI_INPUT_FIELDS},
    )


def roi_readout(inputs: RoiInputs) -> RoiReadout:
    """S15 result plus the break-even value of every input (ROI = 0), cached on the inputs."""
    return _roi_readout(inputs.model_dump_json())


def compute_roi(inputs: RoiInputs) -> roi.RoiResult:
    """S15 result straight from the core (microseconds; the cache's hashing and copy would cost more)."""
    return roi.compute_roi(inputs)


@st.cache_data(max_entries=256, show_spinner=False)
def _inference_cost(inputs_json: str) -> tuple[float, float]:
    inputs = InferenceCostInputs.model_validate_json(inputs_json)
    return roi.inference_cost(inputs), roi.tokens_per_month(inputs)


def inference_cost(inputs: InferenceCostInputs) -> tuple[float, float]:
    """S12: (€ per month, tokens per month)."""
    return _inference_cost(inputs.model_dump_json())


@st.cache_data(max_entries=1024, show_spinner=False)
def _score(inputs_json: str, weights_json: str) -> scoring.ScoreResult:
    return scoring.score(
        ScoringInputs.model_validate_json(inputs_json), ScoringWeights.model_validate_json(weights_json)
    )


def score(inputs: ScoringInputs, weights: ScoringWeights) -> scoring.ScoreResult:
    return _score(inputs.model_dump_json(), weights.model_dump_json())


def portfolio_key(loaded: LoadedWorkspace) -> str:
    """A digest of a portfolio's content: a stored (use case, version) never changes once committed.

    One short string, because Streamlit's cache hashes a tuple of 500 pairs element by element (≈80 ms).
    """
    workspace = loaded.workspace
    parts = [loaded.id, workspace.weights.model_dump_json(), workspace.thresholds.model_dump_json()]
    parts.extend(f"{case.id}\x1f{loaded.versions.get(case.id, -1)}" for case in workspace.use_cases)
    return hashlib.blake2b("\x1e".join(parts).encode(), digest_size=20).hexdigest()


PORTFOLIO_COLUMNS = (
    "name", "owner", "phase", "risk_class", "value", "feasibility", "score", "rank", "quadrant",
    "total_value", "net_value", "roi", "next_gate", "gates_passed", "gates_evaluated",
)


@dataclass(frozen=True)
class PortfolioArrays:
    """The portfolio as one numpy array (or tuple) per column of :data:`PORTFOLIO_COLUMNS`, in workspace order.

    The home page reads these directly, so a cold start never imports pandas.
    """

    ids: tuple[str, ...]
    columns: dict[str, Any]

    def __len__(self) -> int:
        return len(self.ids)


def min_ranks(scores: np.ndarray) -> np.ndarray:
    """1 = highest score; equal scores share the better rank, as pandas' ``rank(method="min", ascending=False)``."""
    descending = np.sort(-np.asarray(scores, dtype=float))
    return np.searchsorted(descending, -np.asarray(scores, dtype=float), side="left").astype("int64") + 1


def _portfolio_arrays_of(workspace: Workspace) -> PortfolioArrays:
    cases = workspace.use_cases
    thresholds = workspace.thresholds
    matrix = np.array(
        [[getattr(case.scoring, name) for name in scoring.SCORING_FIELDS] for case in cases], dtype=float
    ).reshape(-1, len(scoring.SCORING_FIELDS))
    value, feasibility, product = scoring.score_arrays(matrix, workspace.weights)
    roi_values = roi.roi_arrays(
        *(np.array([getattr(case.roi, name) for case in cases], dtype=float) for name in ROI_INPUT_FIELDS)
    )
    results = [gates.evaluate_all(case, thresholds) for case in cases]
    columns = {
        "name": [case.name for case in cases],
        "owner": [case.owner for case in cases],
        "phase": [case.phase for case in cases],
        "risk_class": [case.eu_ai_act_risk_class for case in cases],
        "value": value,
        "feasibility": feasibility,
        "score": product,
        "rank": min_ranks(product),
        "quadrant": scoring.quadrant_labels(
            value, feasibility, thresholds.quick_win_min_value, thresholds.quick_win_min_feasibility
        ),
        "total_value": roi_values["total_value"],
        "net_value": roi_values["net_value"],
        "roi": roi_values["roi"],
        "next_gate": [gates.next_gate(case) for case in cases],
        "gates_passed": np.array([sum(gate.passed for gate in result.values()) for result in results], dtype="int64"),
        "gates_evaluated": np.array([len(result) for result in results], dtype="int64"),
    }
    return PortfolioArrays(ids=tuple(case.id for case in cases), columns=columns)


@st.cache_data(max_entries=64, show_spinner=False)
def _portfolio_arrays(key: str, _workspace: Workspace) -> PortfolioArrays:
    return _portfolio_arrays_of(_workspace)


def portfolio_arrays(loaded: LoadedWorkspace) -> PortfolioArrays:
    """The columns of :func:`portfolio` as numpy arrays, computed once per portfolio content."""
    return _portfolio_arrays(portfolio_key(loaded), loaded.workspace)


@st.cache_data(max_entries=64, show_spinner=False)
def _portfolio(key: str, _workspace: Workspace) -> pd.DataFrame:
    return _portfolio_frame(_portfolio_arrays(key, _workspace))


def _portfolio_frame(arrays: PortfolioArrays) -> pd.DataFrame:
    import pandas as pd

    index = pd.Index(list(arrays.ids), name="id")
    if not len(arrays):
        return pd.DataFrame(columns=list(PORTFOLIO_COLUMNS), index=index)
    return pd.DataFrame({name: arrays.columns[name] for name in PORTFOLIO_COLUMNS}, index=index)


def portfolio(loaded: LoadedWorkspace) -> pd.DataFrame:
    """One row per use case (index id): S3 score and quadrant, S15 value/net/ROI, next gate, gates passed."""
    return _portfolio(portfolio_key(loaded), loaded.workspace)


@dataclass(frozen=True)
class Headline:
    use_cases: int
    net_value: float
    quick_wins: int
    gates_passed: int
    gates_evaluated: int


def headline(loaded: LoadedWorkspace) -> Headline:
    """Home-page figures: use cases, S15 net value per month summed, S3 quick wins, gates passed of evaluated."""
    arrays = portfolio_arrays(loaded)
    columns = arrays.columns
    if not len(arrays):
        return Headline(use_cases=0, net_value=0.0, quick_wins=0, gates_passed=0, gates_evaluated=0)
    return Headline(
        use_cases=len(arrays),
        net_value=float(np.sum(columns["net_value"])),
        quick_wins=int(np.count_nonzero(columns["quadrant"] == "quick_win")),
        gates_passed=int(np.sum(columns["gates_passed"])),
        gates_evaluated=int(np.sum(columns["gates_evaluated"])),
    )


@dataclass(frozen=True)
class RankedUseCase:
    rank: int
    name: str
    quadrant: str
    score: float
    net_value: float


def top_use_cases(loaded: LoadedWorkspace, count: int = 5) -> list[RankedUseCase]:
    """The ``count`` best-ranked use cases (S3); equal ranks keep workspace order."""
    arrays = portfolio_arrays(loaded)
    columns = arrays.columns
    if not len(arrays):
        return []
    order = np.argsort(columns["rank"], kind="stable")[:count]
    return [
        RankedUseCase(
            rank=int(columns["rank"][position]),
            name=columns["name"][position],
            quadrant=str(columns["quadrant"][position]),
            score=float(columns["score"][position]),
            net_value=float(columns["net_value"][position]),
        )
        for position in order.tolist()
    ]


@st.cache_data(max_entries=64, show_spinner=False)
def _rank_stability(key: str, jitter: float, n: int, _workspace: Workspace) -> pd.DataFrame:
    from core import sensitivity

    return sensitivity.rank_stability(
        _workspace.use_cases, _workspace.weights, jitter=jitter, n=n, seed=0,
        min_value=_workspace.thresholds.quick_win_min_value,
        min_feasibility=_workspace.thresholds.quick_win_min_feasibility,
    )


def rank_stability(loaded: LoadedWorkspace, jitter: float = 0.2, n: int = 500) -> pd.DataFrame:
    """Per use case: quadrant at the current weights and the share of random weight draws keeping it."""
    return _rank_stability(portfolio_key(loaded), float(jitter), int(n), loaded.workspace)


NEW_USE_CASE_SCORING = dict.fromkeys(scoring.SCORING_FIELDS, 0.5)
NEW_USE_CASE_ROI = dict.fromkeys(ROI_INPUT_FIELDS, 0.0)


def _unique_id(base: str, taken: Iterable[str]) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-")[:48] or "use-case"
    taken = set(taken)
    candidate, counter = slug, 2
    while candidate in taken:
        candidate, counter = f"{slug}-{counter}", counter + 1
    return candidate


def _taken_ids(workspace_id: str) -> set[str]:
    ids = {case.id for case in store().load(workspace_id).workspace.use_cases}
    return ids | {deleted.id for deleted in store().list_deleted(workspace_id)}


def add_use_case(name: str) -> str:
    """A new use case with neutral scoring inputs (0.5) and an empty ROI; selects it."""
    workspace_id = selected_workspace_id()
    use_case = UseCase(
        id=_unique_id(name, _taken_ids(workspace_id)),
        name=name,
        scoring=ScoringInputs(**NEW_USE_CASE_SCORING),
        roi=RoiInputs(**NEW_USE_CASE_ROI),
    )
    save_use_case(use_case, new=True)
    state.set_use_case_id(use_case.id)
    return use_case.id


def duplicate_use_case(use_case_id: str, name: str) -> str:
    workspace_id = selected_workspace_id()
    source = _fresh_use_case(use_case_id)
    now = utc_now()
    copy = source.model_copy(
        update={"id": _unique_id(name, _taken_ids(workspace_id)), "created_at": now, "updated_at": now}
    )
    copy = with_values(copy, {"name": name})
    save_use_case(copy, new=True)
    state.set_use_case_id(copy.id)
    return copy.id


def delete_use_case(use_case_id: str) -> None:
    """Soft delete; remembers it for the undo button."""
    workspace_id = selected_workspace_id()
    store().delete_use_case(workspace_id, use_case_id, state.actor())
    state.set_ui_value("undo.deleted_use_case", use_case_id)
    state.set_use_case_id(None)


def restore_use_case(use_case_id: str) -> None:
    workspace_id = selected_workspace_id()
    store().restore_use_case(workspace_id, use_case_id, state.actor())
    state.set_ui_value("undo.deleted_use_case", None)
    state.set_use_case_id(use_case_id)


def deleted_use_cases() -> list[Any]:
    workspace_id = state.workspace_id()
    return [] if workspace_id is None else list(store().list_deleted(workspace_id))


def _clean(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    import pandas as pd

    if value is pd.NA or value is pd.NaT:
        return None
    return value


def table_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of an edited table as plain Python values (NaN and NA become None; blank rows dropped)."""
    rows = []
    for record in frame.to_dict(orient="records"):
        row = {str(key): _clean(value) for key, value in record.items()}
        if any(value not in (None, "") for value in row.values()):
            rows.append(row)
    return rows


def kpi_rows(use_case: UseCase) -> list[dict[str, Any]]:
    return [kpi.model_dump() for kpi in use_case.kpi_set]


def raci_rows(use_case: UseCase) -> list[dict[str, str]]:
    """RACI rows with roles as comma-separated text, as edited in the table."""
    return [
        {
            "deliverable": row.deliverable,
            **{role: ", ".join(getattr(row, role)) for role in ("responsible", "accountable", "consulted", "informed")},
        }
        for row in use_case.raci
    ]


def cost_block_rows(use_case: UseCase) -> list[dict[str, Any]]:
    """All six S12 blocks in their fixed order, stored values where present."""
    stored = {block.block: block for block in use_case.cost_blocks}
    return [
        (stored[name] if name in stored else CostBlock(block=name)).model_dump() for name in COST_BLOCKS
    ]


def cost_block_total(use_case: UseCase) -> float:
    """Sum of the cost blocks' € per month (blocks without a figure count as 0)."""
    return math.fsum(block.cost_eur_per_month or 0.0 for block in use_case.cost_blocks)


def save_table(use_case_id: str, path: str, rows: list[dict[str, Any]]) -> list[str]:
    """Save an edited table at ``path`` (kpi_set, raci, cost_blocks); returns readable errors, none on success."""
    rows = [{key: value for key, value in row.items() if value is not None} for row in rows]
    if path == "raci":
        errors = raci_errors(rows)
        if errors:
            return errors
    try:
        set_fields(use_case_id, {path: rows})
    except ValidationError as error:
        return readable_errors(error)
    return []


def weights_errors(values: Mapping[str, float]) -> list[str]:
    """S3: each group's weights must be non-negative and sum to 1; one translated line per broken group."""
    errors = []
    for group, fields in (("value", VALUE_WEIGHT_FIELDS), ("feasibility", FEASIBILITY_WEIGHT_FIELDS)):
        numbers = [float(values[name]) for name in fields]
        total = math.fsum(numbers)
        if any(number < 0 for number in numbers) or abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
            errors.append(t(f"weights.error_{group}", total=formatting.number(total, state.language(), 2)))
    return errors


def filter_and_sort(frame: pd.DataFrame, query: str, column: str, descending: bool) -> pd.DataFrame:
    """Registry rows whose name, owner or id contain ``query`` (case-insensitive), sorted by ``column``."""
    if query.strip():
        needle = query.strip().lower()
        haystack = frame["name"].str.lower() + " " + frame["owner"].str.lower() + " " + frame.index.str.lower()
        frame = frame[haystack.str.contains(needle, regex=False)]
    if column in frame.columns:
        frame = frame.sort_values(column, ascending=not descending, kind="stable", na_position="last")
    return frame
