"""AppTest for workshop rounds (S21): opening a round on Scoring, the Workshop page (join page, live count, reveal,
adopt), the participant's page (join, answer, reload), the access rule, and the rounds as analysis sources."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT, assert_clean, open_page
from streamlit.testing.v1 import AppTest

from core import workshop
from core.sensitivity import default_ranges, monte_carlo
from core.workshop import SCORING_QUESTIONS, Answer, define_round
from ui import access, formatting, frame
from ui.i18n import translate

SCORING = "pages/2_Scoring.py"
WORKSHOP = "pages/10_Workshop.py"
SENSITIVITY = "pages/6_Sensitivity.py"
ANSWER = str(ROOT / "pages" / "11_Answer.py")
CHATBOT = "support-chatbot"
INVOICES = "invoice-extraction"
PHONE_ADDRESS = "192.0.2.77"


def _open(store, sample_id, questions=("scoring.data_availability", "roi.adoption"), use_cases=(CHATBOT, INVOICES)):
    workspace = store.load(sample_id).workspace
    definition = define_round([workspace.use_case(u) for u in use_cases], questions, "Kick-off")
    return store.open_round(sample_id, definition, actor="Facilitator")


def _answer_all(store, info, answers_by_name):
    """answers_by_name: name → {(use case, question): Answer}."""
    secrets = {}
    for name, answers in answers_by_name.items():
        _, secret = store.join_round(info.token, name)
        secrets[name] = secret
        for (use_case_id, question), answer in answers.items():
            store.save_answer(info.token, secret, use_case_id, question, answer)
    return secrets


def _participant_page(token=None, secret=None, language=None) -> AppTest:
    at = AppTest.from_file(ANSWER, default_timeout=30)
    for name, value in (("r", token), ("p", secret), ("lang", language)):
        if value:
            at.query_params[name] = value
    return at.run()


def _button(at, label):
    return next(button for button in at.button if button.label == label)


def _metric(at, label):
    return next(metric.value for metric in at.metric if metric.label == label)


@pytest.mark.parametrize(("language", "submit"), [("en", "Open round and show the join page"),
                                                  ("de", "Runde eröffnen und Beitrittsseite zeigen")])
def test_scoring_opens_a_round_on_the_chosen_use_case_with_the_seven_s3_inputs(store, sample_id, language, submit):
    at = open_page(SCORING, language=language, use_case=CHATBOT)
    at.multiselect(key="w.ws.open.three").select("roi.adoption")
    at.text_input(key="w.ws.open.title").input("Kick-off")
    _button(at, submit).click().run()
    assert not at.exception
    [opened] = store.rounds(sample_id)
    assert opened.definition.use_case_ids == (CHATBOT,)
    assert opened.definition.questions == (*SCORING_QUESTIONS, "roi.adoption")
    assert (opened.definition.title, opened.status) == ("Kick-off", "open")


@pytest.mark.parametrize(("language", "joined", "code_label"), [("en", "Joined", "with the code"),
                                                               ("de", "Beigetreten", "mit dem Code")])
def test_the_join_page_shows_code_qr_and_counts_but_no_values(store, sample_id, language, joined, code_label):
    info = _open(store, sample_id)
    _answer_all(store, info, {"Anna": {(CHATBOT, "scoring.data_availability"): Answer(value=0.35)}})
    store.join_round(info.token, "Ben")
    at = open_page(WORKSHOP, language=language)
    assert_clean(at)
    assert info.join_code in [header.value for header in at.header]
    assert code_label in [markdown.value for markdown in at.markdown]
    assert len(at.image) == 1
    assert _metric(at, joined) == "2"
    assert info.token in at.code[0].value
    assert not at.get("vega_lite_chart")
    shown = json.dumps([element.value for element in (*at.markdown, *at.caption, *at.metric)], ensure_ascii=False)
    assert "35" not in shown and "0.35" not in shown


def test_closing_revealing_and_adopting_a_median_changes_the_use_case(store, sample_id):
    info = _open(store, sample_id)
    # data availability 0.2, 0.4, 0.9 → median 0.4; adoption likely 0.3, 0.5, 0.6 → median 0.5
    _answer_all(store, info, {
        name: {(CHATBOT, "scoring.data_availability"): Answer(value=value),
               (CHATBOT, "roi.adoption"): Answer(low=likely - 0.1, value=likely, high=likely + 0.2)}
        for name, value, likely in (("Anna", 0.2, 0.3), ("Ben", 0.4, 0.5), ("Cem", 0.9, 0.6))
    })
    at = open_page(WORKSHOP)
    _button(at, "Close round").click().run()
    assert store.get_round(info.id).status == "closed"
    _button(at, "Reveal answers").click().run()
    assert_clean(at)
    assert store.get_round(info.id).status == "revealed"
    assert _metric(at, "Participants") == "3"
    # data availability: Q1 at h = 0.5 → 0.3, Q3 at h = 1.5 → 0.65, IQR 0.35 > 0.25: disputed;
    # adoption likely: Q1 0.4, Q3 0.55, IQR 0.15 ≤ 50 % of the median 0.5: not disputed
    assert _metric(at, "Disputed questions") == "1"
    charts = at.get("vega_lite_chart")
    assert len(charts) == 3  # S3 strip plot, the adoption strip plot, the matrix with spread
    matrix = json.loads(charts[2].proto.spec)
    titles = {(channel, layer["encoding"][channel]["title"]) for layer in matrix["layer"]
              for channel in ("x", "y") if channel in layer["encoding"]}
    assert titles == {("x", translate("chart.feasibility_axis", "en")), ("y", translate("chart.value_axis", "en"))}
    key = f"w.ws.adopt.{info.id}.{CHATBOT}.scoring.data_availability"
    assert at.text_input(key=key).value == "40"
    before = store.audit(sample_id, limit=1)[0].id
    at.button(key=f"w.ws.adopt_button.{CHATBOT}.scoring.data_availability").click().run()
    assert_clean(at)
    use_case, _ = store.get_use_case(sample_id, CHATBOT)
    assert use_case.scoring.data_availability == pytest.approx(0.4)
    entries = [entry for entry in store.audit(sample_id, CHATBOT) if entry.id > before]
    assert {entry.action for entry in entries} == {"update_use_case", "adopt_workshop_round"}
    assert any(info.id in (entry.new_value or "") for entry in entries)


def test_disputed_questions_are_counted_and_a_typed_german_value_is_adopted(store, sample_id):
    info = _open(store, sample_id, questions=("scoring.data_availability",), use_cases=(CHATBOT,))
    # 0.1, 0.2, 0.8, 0.9: Q1 0.175, Q3 0.825, IQR 0.65 > 0.25: disputed
    _answer_all(store, info, {name: {(CHATBOT, "scoring.data_availability"): Answer(value=value)}
                              for name, value in (("A", 0.1), ("B", 0.2), ("C", 0.8), ("D", 0.9))})
    store.reveal_round(info.id, actor="F")
    at = open_page(WORKSHOP, language="de")
    assert_clean(at)
    assert _metric(at, "Strittige Fragen") == "1"
    key = f"w.ws.adopt.{info.id}.{CHATBOT}.scoring.data_availability"
    assert at.text_input(key=key).value == "50"
    at.text_input(key=key).input("62,5")
    at.button(key=f"w.ws.adopt_button.{CHATBOT}.scoring.data_availability").click().run()
    assert_clean(at)
    assert store.get_use_case(sample_id, CHATBOT)[0].scoring.data_availability == pytest.approx(0.625)
    at.text_input(key=key).input("viel")
    at.button(key=f"w.ws.adopt_button.{CHATBOT}.scoring.data_availability").click().run()
    assert any("keine Zahl" in error.value for error in at.error)


def test_names_stay_off_the_reveal_until_the_facilitator_turns_them_on(store, sample_id):
    info = _open(store, sample_id, questions=("scoring.data_availability",), use_cases=(CHATBOT,))
    _answer_all(store, info, {"Zoe Secret": {(CHATBOT, "scoring.data_availability"): Answer(value=0.3)}})
    store.reveal_round(info.id, actor="F")
    at = open_page(WORKSHOP)
    strip = at.get("vega_lite_chart")[0]
    assert "Zoe Secret" not in json.dumps([str(dataset) for dataset in strip.proto.datasets])
    at.toggle(key="w.ws.names").set_value(True).run()
    strip = at.get("vega_lite_chart")[0]
    assert any(b"Zoe Secret" in dataset.data.data for dataset in strip.proto.datasets)


def test_a_browser_elsewhere_on_the_network_reaches_no_facilitator_page(store, sample_id, monkeypatch):
    info = _open(store, sample_id)
    monkeypatch.setattr(access, "client_address", lambda: PHONE_ADDRESS)
    for path, _, _ in frame.NAVIGATION:
        at = open_page(None if path == "app.py" else path)
        assert not at.exception
        assert [warning.value for warning in at.warning] == [
            "This page is for the facilitator's own browser. Participants answer through the round's link or code."]
        assert not at.selectbox and not at.metric and not at.sidebar.children
    participant = _participant_page(info.token)
    assert_clean(participant)
    assert participant.text_input(key="w.ans.name")


def test_facilitator_networks_and_loopback_addresses():
    networks = access.facilitator_networks("10.20.0.0/16, fd00::/8")
    assert access.is_facilitator_address(None)
    assert access.is_facilitator_address("127.0.0.1") and access.is_facilitator_address("127.8.0.1")
    assert access.is_facilitator_address("::1") and access.is_facilitator_address("::ffff:127.0.0.1")
    assert not access.is_facilitator_address(PHONE_ADDRESS)
    assert not access.is_facilitator_address("not an address")
    assert access.is_facilitator_address("10.20.3.4", networks) and not access.is_facilitator_address("10.21.0.1",
                                                                                                       networks)
    with pytest.raises(ValueError, match="WORKBENCH_FACILITATOR_NETWORKS"):
        access.facilitator_networks("10.0.0.0/33")


@pytest.mark.parametrize(("language", "name_label", "join", "next_label"), [
    ("en", "Your name", "Join", "Next"), ("de", "Ihr Name", "Teilnehmen", "Weiter")])
def test_a_participant_joins_answers_and_finds_the_answers_after_a_reload(store, sample_id, language, name_label,
                                                                          join, next_label):
    info = _open(store, sample_id)
    at = _participant_page(info.token, language=language)
    assert_clean(at)
    assert at.text_input(key="w.ans.name").label == name_label
    at.text_input(key="w.ans.name").input("Anna")
    _button(at, join).click().run()
    assert_clean(at)
    secret = at.query_params["p"][0] if isinstance(at.query_params["p"], list) else at.query_params["p"]
    assert store.participant(info.token, secret).name == "Anna"
    key = f"w.ans.{info.id}.{CHATBOT}.scoring.data_availability.value"
    shown_key = key if language == "en" else f"{key}.{language}"
    at.select_slider(key=shown_key).set_value(0.3).run()
    assert_clean(at)
    assert store.my_answers(info.token, secret) == {(CHATBOT, "scoring.data_availability"): Answer(value=0.3)}
    _button(at, next_label).click().run()  # saves the untouched three-point estimate as shown, goes on
    mine = store.my_answers(info.token, secret)
    assert mine[(CHATBOT, "roi.adoption")] == Answer(low=0.25, value=0.5, high=0.75)
    reloaded = _participant_page(info.token, secret, language)
    assert_clean(reloaded)
    invoices = f"w.ans.{info.id}.{INVOICES}.scoring.data_availability.value"
    assert reloaded.select_slider(key=invoices if language == "en" else f"{invoices}.{language}")
    _button(reloaded, "Back" if language == "en" else "Zurück").click().run()
    assert reloaded.select_slider(key=shown_key).value == pytest.approx(0.3)


def test_a_participant_submits_and_sees_read_only_answers_once_the_round_closes(store, sample_id):
    info = _open(store, sample_id, questions=("scoring.data_availability",), use_cases=(CHATBOT,))
    at = _participant_page(info.token)
    at.text_input(key="w.ans.name").input("Anna")
    _button(at, "Join").click().run()
    _button(at, "Submit").click().run()
    assert_clean(at)
    assert at.success and store.round_progress(info.id).submitted == 1
    # Until the round closes, a submitted answer can still change; the progress shows every question answered.
    secret = at.query_params["p"][0] if isinstance(at.query_params["p"], list) else at.query_params["p"]
    key = f"w.ans.{info.id}.{CHATBOT}.scoring.data_availability.value"
    at.select_slider(key=key).set_value(0.8).run()
    assert_clean(at)
    assert store.my_answers(info.token, secret) == {(CHATBOT, "scoring.data_availability"): Answer(value=0.8)}
    assert store.round_progress(info.id).submitted == 1
    assert at.get("progress") and at.get("progress")[0].proto.value == 100
    store.close_round(info.id, actor="F")
    at.run()
    assert_clean(at)
    assert "closed" in at.info[0].value
    assert not at.select_slider and not at.slider


@pytest.mark.parametrize(("language", "labels"), [
    ("en", ("5%", "10%", "30%", "Lowest it could be")),
    ("de", ("5\xa0%", "10\xa0%", "30\xa0%", "Niedrigster denkbarer Wert"))])
def test_three_point_sliders_keep_the_likely_value_inside_the_range_in_the_sessions_language(store, sample_id,
                                                                                            language, labels):
    info = _open(store, sample_id, questions=("roi.adoption",), use_cases=(CHATBOT,))
    at = _participant_page(info.token, language=language)
    at.text_input(key="w.ans.name").input("Anna")
    _button(at, "Join" if language == "en" else "Teilnehmen").click().run()
    secret = at.query_params["p"][0] if isinstance(at.query_params["p"], list) else at.query_params["p"]
    prefix = f"w.ans.{info.id}.{CHATBOT}.roi.adoption"
    suffix = "" if language == "en" else f".{language}"
    at.select_slider(key=f"{prefix}.low{suffix}").set_value(0.1).run()
    at.select_slider(key=f"{prefix}.high{suffix}").set_value(0.3).run()
    assert_clean(at)
    # The likely value (50 %, the untouched default) moves inside the range 10–30 %.
    assert store.my_answers(info.token, secret)[(CHATBOT, "roi.adoption")] == Answer(low=0.1, value=0.3, high=0.3)
    at.select_slider(key=f"{prefix}.low{suffix}").set_value(0.4).run()  # a low above the high swaps with it
    assert store.my_answers(info.token, secret)[(CHATBOT, "roi.adoption")] == Answer(low=0.3, value=0.3, high=0.4)
    low = at.select_slider(key=f"{prefix}.low{suffix}")
    assert low.label == labels[3]
    assert [low.format_func(option) for option in (0.05, 0.1, 0.3)] == list(labels[:3])


def test_joining_by_code_and_the_wrong_code_or_a_taken_name(store, sample_id):
    info = _open(store, sample_id)
    store.join_round(info.token, "Anna")
    at = _participant_page()
    at.text_input(key="w.ans.code").input("ZZZZZZ")
    at.text_input(key="w.ans.name").input("Ben")
    _button(at, "Join").click().run()
    assert any("No open round has this code" in error.value for error in at.error)
    at.text_input(key="w.ans.code").input(info.join_code.lower())
    at.text_input(key="w.ans.name").input("anna")
    _button(at, "Join").click().run()
    assert any("already called anna" in warning.value for warning in at.warning)
    at.text_input(key="w.ans.name").input("Ben")
    _button(at, "Join").click().run()
    assert_clean(at)
    assert store.round_progress(info.id).participants == 2
    unknown = _participant_page("not-a-token")
    assert "does not lead to a round" in unknown.error[0].value


def test_rank_stability_can_draw_from_a_revealed_rounds_answers(store, sample_id):
    info = _open(store, sample_id, questions=("scoring.data_availability", "scoring.integration_effort"))
    _answer_all(store, info, {
        name: {(CHATBOT, "scoring.data_availability"): Answer(value=a), (INVOICES, "scoring.integration_effort"):
               Answer(value=b)} for name, a, b in (("A", 0.1, 0.9), ("B", 0.5, 0.2), ("C", 0.95, 0.5))})
    store.reveal_round(info.id, actor="F")
    at = open_page(SCORING)
    at.selectbox(key="w.scoring.stability_source").set_value(info.id).run()
    assert_clean(at)
    assert any("draws from the answers of" in caption.value for caption in at.caption)
    workspace = store.load(sample_id).workspace
    answers = workshop.answers_frame([
        {"participant_id": a.participant_id, "use_case_id": a.use_case_id, "question": a.question,
         "value": a.answer.value} for a in store.round_answers(info.id)])
    expected = workshop.rank_stability_from_answers(workspace.use_cases, answers, workspace.weights, n=500, seed=0)
    table = at.dataframe[0].value
    shown = dict(zip(table["Use case"], table["Stays in quadrant"], strict=True))
    assert shown[workspace.use_case(CHATBOT).name] == pytest.approx(expected.loc[CHATBOT, "stay_share"] * 100)
    other = next(case for case in workspace.use_cases if case.id not in (CHATBOT, INVOICES))
    assert shown[other.name] != shown[other.name]  # NaN: not in the round


def test_the_monte_carlo_can_take_a_rounds_three_point_answers_as_ranges(store, sample_id):
    info = _open(store, sample_id, questions=("roi.adoption",), use_cases=(CHATBOT,))
    _answer_all(store, info, {name: {(CHATBOT, "roi.adoption"): Answer(low=low, value=likely, high=high)}
                              for name, low, likely, high in (("A", 0.3, 0.5, 0.7), ("B", 0.4, 0.6, 0.9))})
    store.reveal_round(info.id, actor="F")
    at = open_page(SENSITIVITY, use_case=CHATBOT)
    assert any("the scenarios' ranges" in caption.value for caption in at.caption)
    at.selectbox(key="w.sens.mc_source").set_value(info.id).run()
    assert_clean(at)
    assert any("Adoption drawn from triangles" in caption.value for caption in at.caption)
    use_case, _ = store.get_use_case(sample_id, CHATBOT)
    ranges = {**default_ranges(use_case.roi, use_case.scenarios), "adoption": (0.35, 0.55, 0.8)}
    expected = monte_carlo(use_case.roi, ranges, n=20_000, seed=0, target_roi=0.2)
    assert _metric(at, "ROI P50") == formatting.roi(expected.p50, "en")


def test_make_workshop_serves_every_interface_with_xsrf_cors_and_only_its_own_host_names():
    from ui.serve import workshop_command

    command = workshop_command(8502, "192.168.1.20", python="python3")
    assert command[:5] == ["python3", "-m", "streamlit", "run", command[4]] and command[4].endswith("app.py")
    options = dict(zip(command[5::2], command[6::2], strict=True))
    assert options["--server.address"] == "0.0.0.0" and options["--server.port"] == "8502"
    assert options["--server.enableXsrfProtection"] == "true" and options["--server.enableCORS"] == "true"
    hosts = [value for flag, value in zip(command[5::2], command[6::2], strict=True) if flag == "--server.allowedHosts"]
    assert hosts == ["localhost", "127.0.0.1", "192.168.1.20"]
    without_lan = workshop_command(8502, None, python="python3")
    assert [value for flag, value in zip(without_lan[5::2], without_lan[6::2], strict=True)
            if flag == "--server.allowedHosts"] == ["localhost", "127.0.0.1"]
