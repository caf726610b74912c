"""S23 on screen (AppTest): the sign-in page, workspaces by role, the no-access page, the viewer's refusals, the
Members panel, the first workspace of a person without roles, and deleting a workspace for good.

AppTest reports sign-in as configured when ``at.user`` carries ``is_logged_in`` (as ``st.user`` does with an
``[auth]`` section); the browser journey against a real OIDC provider is in ``tests/e2e/test_sign_in_e2e.py``.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.store import Identity, Store
from tests.pages.conftest import ROOT, SAMPLE_NAME, assert_clean, shown

ADMIN = {"is_logged_in": True, "sub": "root-1", "email": "admin@example.com", "name": "Ada Admin"}
CLARA = {"is_logged_in": True, "sub": "clara", "email": "clara@example.com", "name": "Clara Wolf"}
DAVE = {"is_logged_in": True, "sub": "dave", "email": "dave@example.com", "name": "Dave Klein"}


def _actor(user: dict) -> str:
    return Identity(subject=user["sub"], email=user["email"], name=user["name"]).actor


@pytest.fixture
def admins(monkeypatch):
    monkeypatch.setenv("WORKBENCH_ADMINS", "Admin@Example.com")


def signed_in(user: dict, workspace_id: str | None = None, page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.user = dict(user)
    if workspace_id:
        at.query_params["ws"] = workspace_id
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


def texts(at: AppTest) -> str:
    parts = [item.value for kind in ("markdown", "caption", "info", "warning", "error", "success", "title")
             for item in getattr(at, kind)]
    return shown("\n".join(str(part) for part in parts))


def test_with_sign_in_configured_a_signed_out_browser_sees_only_the_sign_in_page(store, admins):
    at = signed_in({"is_logged_in": False})
    assert_clean(at)
    assert [item.value for item in at.title] == ["Sign in"]
    assert [button.label for button in at.button] == ["Sign in with your company account"]
    assert SAMPLE_NAME not in texts(at) and not at.metric


def test_an_admin_owns_the_sample_and_grants_a_viewer_who_then_sees_it_read_only(store, sample_id, admins):
    at = signed_in(ADMIN)
    assert_clean(at)
    page = texts(at)
    assert SAMPLE_NAME in page and "Signed in as **Ada Admin** (admin@example.com)" in page
    assert not any(item.label == "Your name" for item in at.text_input)  # no typed name once signed in
    assert "w.members.principal" not in {item.key for item in at.text_input}  # the panel is drawn when opened
    at.toggle(key="w.members.show").set_value(True).run()
    assert "no owner yet, so the instance admins (WORKBENCH_ADMINS) own it" in texts(at)
    at.text_input(key="w.members.principal").input("Clara@Example.com")
    at.selectbox(key="w.members.role").set_value("viewer")
    next(button for button in at.button if button.label == "Grant role").click().run()
    assert_clean(at)
    assert "clara@example.com is now viewer." in texts(at)
    assert Store(store.url).role_of(sample_id, _actor(CLARA)) == "viewer"
    assert store.audit(sample_id, limit=1)[0].actor == "Ada Admin <admin@example.com> [root-1]"

    viewer = signed_in(CLARA)
    viewer.toggle(key="w.members.show").set_value(True).run()
    assert_clean(viewer)
    page = texts(viewer)
    assert "You are a viewer of this workspace" in page and "Only owners grant and revoke roles" in page
    assert "Only owners delete a workspace for good" in page
    assert viewer.text_input(key="w.home.rename_name").disabled


def test_an_edit_after_the_role_was_lowered_to_viewer_is_refused_with_the_role_it_needs(store, sample_id, admins):
    """The page was drawn for an editor; an owner then made her a viewer (in another process): the store refuses."""
    store.enable_access_control()
    admin = Store(store.url, admins=frozenset({ADMIN["email"]}))
    admin.set_member_role(sample_id, CLARA["email"], "editor", _actor(ADMIN))
    at = signed_in(CLARA, page="pages/2_Scoring.py")
    assert_clean(at)
    admin.set_member_role(sample_id, CLARA["email"], "viewer", _actor(ADMIN))
    slider = at.select_slider[0]
    slider.set_value(0.9 if slider.value != 0.9 else 0.8).run()
    assert any("Not saved: this needs the editor role, and you are viewer in this workspace" in shown(item.value)
               for item in at.error)
    assert {entry.action for entry in store.audit(sample_id)} == {"load_sample", "set_member_role"}
    assert at.select_slider[0].disabled  # the next run draws her a viewer's page
    admin.dispose()


def test_a_person_without_a_role_sees_no_workspace_and_can_create_their_own(store, sample_id, admins):
    at = signed_in(DAVE)
    assert_clean(at)
    assert "You hold no role in any workspace yet" in texts(at) and SAMPLE_NAME not in texts(at)
    at.text_input(key="w.members.create_name").input("Dave's pilots")
    next(button for button in at.button if button.label == "Create workspace").click().run()
    assert_clean(at)
    page = texts(at)
    assert "Dave's pilots" in page and SAMPLE_NAME not in page
    created = store.workspace_id_by_name("Dave's pilots")
    assert [(member.principal, member.role) for member in store.members(created)] == [("dave", "owner")]


def test_a_link_to_a_workspace_without_a_role_gives_a_no_access_page_not_the_data(store, sample_id, admins):
    store.enable_access_control()
    store.create_workspace(store.load(sample_id).workspace.model_copy(update={"name": "Dave's"}), _actor(DAVE))
    for page in (None, "pages/4_ROI.py"):
        at = signed_in(DAVE, workspace_id=sample_id, page=page)
        assert_clean(at)
        assert next(item.value for item in at.warning).startswith("No access: you hold no role in this workspace")
        assert SAMPLE_NAME not in texts(at) and not at.metric and not at.slider
    at.button(key="w.auth.to_mine").click().run()
    assert_clean(at)
    picker = at.selectbox(key="w.sidebar.workspace")
    assert [picker.format_func(option) for option in picker.options] == ["Dave's"]


def test_without_sign_in_the_members_panel_says_roles_need_a_shared_deployment(store):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    assert_clean(at)
    assert "Roles apply on a shared deployment with sign-in" in texts(at)
    assert any(item.label == "Your name" for item in at.text_input)


def test_an_owner_deletes_a_workspace_for_good_in_two_steps_with_the_export_offered(store, sample_id):
    copy = store.duplicate_workspace(sample_id, "To go", "Ada")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.query_params["ws"] = copy
    at.run()
    at.button(key="w.purge.start").click().run()
    assert_clean(at)
    assert "“To go” will be gone for good" in texts(at)
    assert at.get("download_button")  # the snapshot export, offered before the last step
    at.text_input(key="w.purge.name").input("to go")
    next(button for button in at.button if button.label == "Delete for good").click().run()
    assert "Not deleted: the name typed is not the workspace's name." in texts(at)
    assert "To go" in {info.name for info in store.list_workspaces()}
    at.text_input(key="w.purge.name").input("To go")
    next(button for button in at.button if button.label == "Delete for good").click().run()
    assert_clean(at)
    assert "“To go” was deleted for good." in texts(at)
    assert "To go" not in {info.name for info in store.list_workspaces()}


def test_on_the_export_page_a_viewer_exports_but_snapshots_and_restores_are_disabled_with_the_reason(
        store, sample_id, admins):
    store.enable_access_control()
    admin = Store(store.url, admins=frozenset({ADMIN["email"]}))
    admin.create_snapshot(sample_id, "baseline", _actor(ADMIN))
    admin.set_member_role(sample_id, CLARA["email"], "viewer", _actor(ADMIN))
    admin.set_member_role(sample_id, DAVE["email"], "editor", _actor(ADMIN))
    viewer = signed_in(CLARA, page="pages/9_Export.py")
    assert_clean(viewer)
    assert viewer.get("download_button")  # export stays open to viewers
    restore = viewer.button(key="w.export.restore")
    assert restore.disabled and "Needs the owner role; you are viewer" in shown(restore.help)
    editor = signed_in(DAVE, page="pages/9_Export.py")
    assert_clean(editor)
    assert editor.button(key="w.export.restore").disabled
    editor.text_input(key="w.export.snapshot_label").input("by Dave")
    next(button for button in editor.button if button.label == "Create snapshot").click().run()
    assert_clean(editor)
    assert "by Dave" in {item.label for item in store.list_snapshots(sample_id)}
    admin.dispose()


def test_on_the_workshop_page_a_viewer_sees_the_round_but_cannot_close_or_reveal_it(store, sample_id, admins):
    from core.workshop import define_round

    store.enable_access_control()
    admin = Store(store.url, admins=frozenset({ADMIN["email"]}))
    use_cases = admin.load(sample_id).workspace.use_cases[:1]
    admin.open_round(sample_id, define_round(use_cases, ("scoring.data_availability",), "Kick-off"), _actor(ADMIN))
    admin.set_member_role(sample_id, CLARA["email"], "viewer", _actor(ADMIN))
    at = signed_in(CLARA, page="pages/10_Workshop.py")
    assert_clean(at)
    controls = [button for button in at.button if button.label in ("Close round", "Reveal answers")]
    assert len(controls) == 2 and all(button.disabled for button in controls)
    assert "need the editor role" in shown(controls[0].help)
    admin.dispose()



# What a viewer still uses: navigation (workspace, use case, language, presentation, gate, sign-out), the registry's
# search and sort, and what-if controls that save nothing (budgets, stability draws, Monte Carlo, a sample profile).
VIEWER_CONTROLS = {
    "button:w.auth.sign_out", "segmented_control:w.sidebar.language", "selectbox:w.sidebar.workspace",
    "toggle:w.sidebar.presentation", "selectbox:w.picker.use_case", "selectbox:w.registry.sort",
    "text_input:w.registry.search", "toggle:w.registry.descending", "select_slider:w.scoring.jitter",
    "selectbox:w.scoring.stability_source", "segmented_control:w.portfolio.fund_on",
    "select_slider:w.portfolio.investment", "toggle:w.portfolio.capacity_limited", "toggle:w.portfolio.run_limited",
    "segmented_control:w.sens.figure", "select_slider:w.sens.draws", "text_input:w.sens.target_percent",
    "segmented_control:w.gates.gate", "button:Profile the sample dataset",
}
WIDGET_KINDS = ("text_input", "text_area", "select_slider", "slider", "selectbox", "checkbox", "toggle", "radio",
                "date_input", "multiselect", "button", "segmented_control")


def _enabled_widgets(at: AppTest) -> set[str]:
    return {f"{kind}:{widget.key or widget.label}" for kind in WIDGET_KINDS for widget in at.get(kind)
            if not widget.disabled}


@pytest.mark.parametrize("page", ["pages/1_Use_cases.py", "pages/2_Scoring.py", "pages/3_Portfolio.py",
                                  "pages/4_ROI.py", "pages/5_Business_case.py", "pages/6_Sensitivity.py",
                                  "pages/7_Gates.py", "pages/8_Data_readiness.py"])
def test_a_viewer_sees_every_saving_widget_disabled_or_hidden(store, sample_id, admins, page):
    store.enable_access_control()
    admin = Store(store.url, admins=frozenset({ADMIN["email"]}))
    admin.set_member_role(sample_id, CLARA["email"], "viewer", _actor(ADMIN))
    viewer, owner = signed_in(CLARA, page=page), signed_in(ADMIN, page=page)
    assert_clean(viewer)
    assert "You are a viewer of this workspace" in texts(viewer)  # the reason, once per page
    assert _enabled_widgets(viewer) <= VIEWER_CONTROLS
    assert _enabled_widgets(owner) - VIEWER_CONTROLS  # the same page lets its owner edit
    admin.dispose()


def test_a_signed_in_participant_joins_a_round_under_the_sign_in_name_without_typing_one(store, sample_id):
    from core.workshop import SCORING_QUESTIONS, define_round

    use_cases = store.load(sample_id).workspace.use_cases[:1]
    info = store.open_round(sample_id, define_round(use_cases, SCORING_QUESTIONS, "Kick-off"), actor="Facilitator")
    at = AppTest.from_file(str(ROOT / "pages" / "11_Answer.py"), default_timeout=30)
    at.user = dict(CLARA)
    at.query_params["r"] = info.token
    at.run()
    assert_clean(at)
    assert not [field for field in at.text_input if field.key == "w.ans.name"], "no name to type when signed in"
    assert "You join as Clara Wolf, from your sign-in." in texts(at)
    next(button for button in at.button if button.label == "Join").click().run()
    assert_clean(at)
    secret = at.query_params["p"][0] if isinstance(at.query_params["p"], list) else at.query_params["p"]
    assert store.participant(info.token, secret).name == "Clara Wolf"
    # The round token alone lets a person answer: a second browser signed in as someone else joins as themselves.
    other = AppTest.from_file(str(ROOT / "pages" / "11_Answer.py"), default_timeout=30)
    other.user = dict(DAVE)
    other.query_params["r"] = info.token
    other.run()
    next(button for button in other.button if button.label == "Join").click().run()
    assert store.round_progress(info.id).participants == 2
