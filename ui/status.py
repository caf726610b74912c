"""The one status sentence of a use case (docs/VERDICTS.md, ``core.verdict``), cached per use case and language.

Home, Use cases, Gates and Sensitivity show this sentence; the Excel Decision sheet writes the same one.
"""

from __future__ import annotations

from functools import lru_cache

from core import verdict
from core.models import Thresholds, UseCase
from ui.views import VIEW_CACHE_SIZE


@lru_cache(maxsize=VIEW_CACHE_SIZE)
def _status(use_case_json: str, thresholds_json: str) -> verdict.UseCaseStatus:
    return verdict.use_case_status(UseCase.model_validate_json(use_case_json),
                                   Thresholds.model_validate_json(thresholds_json))


def status(use_case: UseCase, thresholds: Thresholds) -> verdict.UseCaseStatus:
    """Where the use case stands (:func:`core.verdict.use_case_status`), cached on its JSON and the thresholds."""
    return _status(use_case.model_dump_json(), thresholds.model_dump_json())


def sentence(use_case: UseCase, thresholds: Thresholds, language: str) -> str:
    """The status as the one sentence every page shows, e.g. "Stopped at Quality gates (failed): …"."""
    return verdict.status_sentence(status(use_case, thresholds), language)
