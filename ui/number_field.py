"""The one number field of every page: text typed in the session's language, parsed with Babel, echoed back
formatted, refused in words next to the field with the typed text kept; and the sliders beside such fields,
labelled in the same locale.

``st.number_input`` is an ``<input type="number">``: the browser drops a German decimal comma ("2,4" became 24)
and can only show "0.85". ``st.slider`` formats with printf or the browser's locale, never the app's. So a field
is a text input bound to the model, and a slider is a ``select_slider`` whose options are the slider's grid
(plus the current value, so that slider and field always agree), labelled by :func:`formatting.entry_text`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import streamlit as st

from ui import formatting, state, store_access
from ui.i18n import t, t_plain

Unit = Literal["percent", "eur", "minutes", "count", "months", ""]
MAX_SLIDER_OPTIONS = 401


@dataclass(frozen=True)
class NumberSpec:
    """What a field accepts and how it shows it. Bounds are in model units (a fraction for "percent"); a percent
    field takes percent ("62" or "62 %" = 0.62). ``optional``: an empty field means "not given" (None)."""

    unit: Unit = ""
    decimals: int = 0
    extra_decimals: int = 2
    minimum: float | None = 0.0
    maximum: float | None = None
    integer: bool = False
    optional: bool = False


def show(value: float | None, spec: NumberSpec, language: str) -> str:
    """``value`` as the field shows it, e.g. 0.62 → "62 %" (de), 2.4 → "2,4 min"."""
    if value is None:
        return ""
    extra = 0 if spec.integer else spec.extra_decimals
    return formatting.entry_text(float(value), spec.unit, language, spec.decimals, extra)


def _bounds_text(spec: NumberSpec, language: str) -> str:
    low = show(spec.minimum, spec, language) if spec.minimum is not None else None
    high = show(spec.maximum, spec, language) if spec.maximum is not None else None
    if low is not None and high is not None:
        return t_plain("number.between", low=low, high=high)
    if low is not None:
        return t_plain("number.at_least", low=low)
    if high is not None:
        return t_plain("number.at_most", high=high)
    return ""


def _example(spec: NumberSpec, language: str) -> str:
    sample: float = 1234 if spec.integer else 1234.5
    if spec.maximum is not None and spec.maximum < sample:
        sample = math.floor(spec.maximum / 2) if spec.integer else spec.maximum / 2
    return show(sample, spec, language)


def parse(text: str, spec: NumberSpec, language: str) -> tuple[float | None, str | None]:
    """``(value, None)`` for acceptable text, else ``(None, the reason in words)``.

    Example: ``parse("62", NumberSpec("percent", maximum=1.0), "de")`` → ``(0.62, None)``;
    ``parse("2.4", NumberSpec("minutes", 1), "de")`` → ``(None, "„2.4" ist in deutscher Schreibweise … 2,4 …")``.
    """
    text = text.strip()
    if not text:
        return (None, None) if spec.optional else (None, t("number.required", rule=_rule(spec, language)))
    try:
        figure = formatting.parse_number(text, language)
    except formatting.NumberEntryError as error:
        if error.suggestion:
            return None, t("number.did_you_mean", text=text, suggestion=error.suggestion, rule=_rule(spec, language))
        return None, t("number.not_a_number", text=text, rule=_rule(spec, language))
    value = figure / 100 if spec.unit == "percent" else figure
    if spec.integer and value != int(value):
        return None, t("number.whole", text=text, rule=_rule(spec, language))
    too_low = spec.minimum is not None and value < spec.minimum - 1e-12
    too_high = spec.maximum is not None and value > spec.maximum + 1e-12
    if too_low or too_high:
        return None, t("number.out_of_range", text=text, rule=_rule(spec, language))
    return (int(value) if spec.integer else value), None


def _rule(spec: NumberSpec, language: str) -> str:
    """What the field allows, as a sentence: notation, example and bounds. Plain text: it goes into a message as a
    value of ``t()``, which escapes it once."""
    notation = (t_plain("number.percent_rule") if spec.unit == "percent"
                else t_plain("number.notation", example=_example(spec, language)))
    bounds = _bounds_text(spec, language)
    return f"{notation}, {bounds}." if bounds else f"{notation}."


def _commit(widget_key: str, spec: NumberSpec, model_value: float | None, on_value: Callable[..., Any],
            args: tuple[Any, ...]) -> None:
    text = state.widget_text(widget_key)
    value, message = parse(text, spec, state.language())
    if message is not None:
        store_access.keep_refused_entry(widget_key, text, model_value)
        return
    store_access.drop_refused_entry(widget_key)
    # Streamlit would keep the typed text; the next run echoes what was understood.
    state.forget([widget_key])
    on_value(*args, value)


def field(
    label: str,
    widget_key: str,
    value: float | None,
    spec: NumberSpec,
    on_value: Callable[..., Any],
    args: tuple[Any, ...] = (),
    *,
    container: Any = None,
    message_container: Any = None,
    help: str | None = None,
    placeholder: str | None = None,
    label_visibility: Literal["visible", "hidden", "collapsed"] = "visible",
    width: int | Literal["stretch"] = "stretch",
    stored: bool = True,
) -> None:
    """A locale number field bound to ``value``; a valid entry calls ``on_value(*args, parsed value)``.

    ``stored``: the value is saved to the workspace, so the field is disabled for a viewer (:func:`state.read_only`);
    a what-if field that saves nothing passes False.

    A refused entry keeps its text in the field, with the reason (what is allowed, in the session's language) right
    below it in ``message_container`` (default: the field's container), until it is corrected or the stored value
    changes; it is kept for the person in the store, so a reload or a new tab shows it again.
    """
    container = container if container is not None else st
    lang = state.language()
    refused = store_access.refused_entry(widget_key)
    message = None
    if refused is not None:
        text, refused_against = refused
        message = parse(text, spec, lang)[1] if refused_against == value else None
        if message is None:
            store_access.drop_refused_entry(widget_key)
            refused = None
    state.sync_widget(widget_key, refused[0] if refused is not None else show(value, spec, lang))
    container.text_input(
        label, key=widget_key, help=help, placeholder=placeholder, label_visibility=label_visibility, width=width,
        on_change=store_access.safe_callback(_commit), args=(widget_key, spec, value, on_value, args),
        disabled=stored and state.read_only(),
    )
    if message is not None:
        # The message comes from t(), which escaped the typed text in it; escaping it again would show backslashes.
        (message_container if message_container is not None else container).error(message)


@lru_cache(maxsize=256)
def _grid(spec: NumberSpec, maximum: float, step: float, language: str) -> tuple[tuple[float, ...], dict[float, str]]:
    """A slider's grid and its labels, computed once per (spec, bounds, language): a page draws several sliders of
    hundreds of steps on every rerun."""
    low = spec.minimum or 0.0
    count = round((maximum - low) / step)
    stride = max(1, math.ceil((count + 1) / MAX_SLIDER_OPTIONS))
    options = tuple(round(low + index * step, 10) for index in range(0, count + 1, stride))
    if spec.integer:
        options = tuple(int(option) for option in options)
    return options, {option: show(option, spec, language) for option in options}


def slider_options(value: float, spec: NumberSpec, maximum: float, step: float, language: str = "en") -> list[float]:
    """The slider's grid from ``spec.minimum`` to ``maximum`` in ``step``s (coarser beyond
    :data:`MAX_SLIDER_OPTIONS`), plus ``value`` when it lies between two steps."""
    options, _ = _grid(spec, maximum, step, language)
    return list(options) if value in options else sorted({*options, value})


def slider(
    label: str,
    widget_key: str,
    value: float,
    spec: NumberSpec,
    maximum: float,
    step: float,
    on_change: Callable[..., Any],
    args: tuple[Any, ...] = (),
    *,
    container: Any = None,
    help: str | None = None,
    width: int | Literal["stretch"] = "stretch",
    stored: bool = True,
) -> Any:
    """A slider over ``spec``'s unit labelled in the session's locale ("2,4 min", "62 %", "50.000"), bound to
    ``value``; ``on_change(*args)`` reads it with :func:`state.widget_value` like any
    widget's callback. Returns the slider's value. ``stored``: as for :func:`field`."""
    container = container if container is not None else st
    lang = state.language()
    maximum = max(maximum, value)
    options = slider_options(value, spec, maximum, step, lang)
    labels = _grid(spec, maximum, step, lang)[1]
    # The browser holds a select_slider's value as its label: after a language switch the old labels ("50,500")
    # match no option of the same widget and would read as the first one (0). So each language has its own widget
    # (English keeps the plain key), whose value is passed on under ``widget_key`` for ``on_change``.
    shown_key = widget_key if lang == "en" else f"{widget_key}.{lang}"
    chosen = container.select_slider(
        label, options=options, format_func=lambda option: labels.get(option) or show(option, spec, lang),
        key=store_access.bind(shown_key, value), help=help, on_change=_relay,
        args=(shown_key, widget_key, on_change, args), width=width, disabled=stored and state.read_only(),
    )
    if shown_key != widget_key:
        state.set_value(widget_key, chosen)
    return chosen


def _relay(shown_key: str, widget_key: str, on_change: Callable[..., Any], args: tuple[Any, ...]) -> None:
    if shown_key != widget_key:
        state.set_value(widget_key, state.widget_value(shown_key))
    on_change(*args)
