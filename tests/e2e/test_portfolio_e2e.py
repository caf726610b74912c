"""The Portfolio page (S20) in real Chromium: open it, move the budget slider one step, see the sentence follow the
core's plan; photographed for the README (docs/screenshots/03_portfolio.png with WORKBENCH_UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.fixtures import step_slider, wait_idle
from core.portfolio import Budgets, compare_rules, plan_portfolio
from core.portfolio_workspace import plan_totals, portfolio_items
from core.store import Store
from ui import formatting
from ui.views.portfolio import budget_options, default_investment

pytest.importorskip("playwright.sync_api", reason="e2e needs the playwright package (requirements-dev.txt)")
from playwright.sync_api import Page, expect

from tests.e2e.test_workbench_e2e import SAMPLE_WORKSPACE, assert_no_exception, go_to, open_app, wait_rendered

pytestmark = pytest.mark.e2e
expect.set_options(timeout=30_000)


def sentence(items, investment: float) -> str:
    """The page's sentence for ``investment`` (S20 optimum beside funding by score, S19 NPVs), in English."""
    budgets = Budgets(investment_eur=investment)
    plan = plan_portfolio(items, budgets)
    by_score, _ = compare_rules(items, budgets, plan)
    return (f"At {formatting.eur_compact(investment, 'en')} the optimal plan yields "
            f"{formatting.eur_compact(plan.npv_eur, 'en')} NPV; funding by score yields "
            f"{formatting.eur_compact(plan_totals(items, by_score.chosen_ids).npv_eur, 'en')}.")


def test_moving_the_budget_slider_changes_the_sentence(page: Page, running_app, screenshot_dir: Path) -> None:
    open_app(page, running_app.url)  # the first start loads the sample workspace
    store = Store(running_app.database_url)
    items = portfolio_items(store.load(store.workspace_id_by_name(SAMPLE_WORKSPACE)).workspace)
    store.dispose()
    options = budget_options(items)["investment"]
    start = default_investment(items, options)
    # Two steps of 10 k€ up from 590 k€ (sample): the budget in the sentence moves to 610 k€.
    target = options[options.index(start) + 2]

    go_to(page, "Portfolio", "Portfolio plan")
    headline = page.get_by_test_id("stAlert").filter(has_text="the optimal plan yields").locator("p")
    expect(headline).to_have_text(sentence(items, start))
    wait_rendered(page)
    page.screenshot(path=str(screenshot_dir / "03_portfolio.png"))

    slider = page.get_by_test_id("stSlider").filter(has_text="Investment budget").get_by_role("slider")
    step_slider(page, slider, 2)
    expect(headline).to_have_text(sentence(items, target))
    wait_idle(page)
    assert sentence(items, target) != sentence(items, start)
    assert_no_exception(page, running_app, "portfolio")
