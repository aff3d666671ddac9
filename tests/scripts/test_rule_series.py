# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of the PromQL tokenizer/parser and the checks of rule_series.py.

Run: .venv/bin/python -m pytest -q tests/scripts
"""

import json
import os
import subprocess
import sys

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import rule_series  # noqa: E402  pylint: disable=wrong-import-position
from rule_series import PromQLError, extract, tokenize  # noqa: E402  pylint: disable=wrong-import-position


def names(expr):
    return [str(s) for s in extract(expr)[0]]


def by_name(expr):
    return {s.name: s for s in extract(expr)[0]}


# --------------------------------------------------------------------------
# Tokenizer
# --------------------------------------------------------------------------
def test_tokens_of_a_subquery_with_colon_names():
    kinds = [(t.kind, t.value) for t in tokenize('max_over_time(vllm:num_requests_running{job="vllm"}[5m:1m])')]
    assert kinds == [
        ("ident", "max_over_time"), ("op", "("), ("ident", "vllm:num_requests_running"), ("op", "{"),
        ("ident", "job"), ("op", "="), ("string", "vllm"), ("op", "}"), ("op", "["), ("duration", "5m"),
        ("op", ":"), ("duration", "1m"), ("op", "]"), ("op", ")"),
    ]


def test_tokens_of_numbers_durations_and_strings():
    values = [(t.kind, t.value) for t in tokenize("1.5e3 0x1F Inf NaN 1h30m 2147483632 'a{b}' `c\\d` \"e\\\"f\"")]
    assert values == [
        ("number", "1.5e3"), ("number", "0x1F"), ("number", "Inf"), ("number", "NaN"), ("duration", "1h30m"),
        ("number", "2147483632"), ("string", "a{b}"), ("string", "c\\d"), ("string", 'e"f'),
    ]


def test_comments_are_skipped():
    assert names("up{job=\"node\"} # a comment with foo{bar}\n== 0") == ['up{job="node"}']


def test_bad_input_raises():
    with pytest.raises(PromQLError):
        tokenize("up{job=\"node\"} $ 1")
    with pytest.raises(PromQLError):
        extract("sum(up")
    with pytest.raises(PromQLError):
        extract("up{job=}")


# --------------------------------------------------------------------------
# Selectors and label requirements
# --------------------------------------------------------------------------
def test_binary_on_group_left_requires_labels_on_both_sides():
    selectors = by_name(
        'vllm:num_requests_waiting{job="vllm"} > 10 and on (job, instance, model_name) group_left (engine) '
        'vllm:kv_cache_usage_perc{job="vllm"} > bool 0.9')
    assert set(selectors) == {"vllm:num_requests_waiting", "vllm:kv_cache_usage_perc"}
    for selector in selectors.values():
        assert selector.required_labels == {"job", "instance", "model_name", "engine"}


def test_ignoring_and_without_labels_are_not_required():
    selectors = extract('sum without (handler, status) (rate(a{job="x"}[5m])) / ignoring (code) b')[0]
    assert [s.required_labels for s in selectors] == [set(), set()]


def test_nested_aggregations_with_by_before_and_after():
    selectors = extract('count by (job, instance) (count(DCGM_FI_DEV_GPU_TEMP{job="dcgm"}) by (gpu, UUID))')[0]
    assert len(selectors) == 1
    assert selectors[0].required_labels == {"job", "instance", "gpu", "UUID"}


def test_by_labels_stay_inside_their_aggregation():
    selectors = by_name("sum by (model_name) (rate(a[5m])) / on () group_left sum(b)")
    assert selectors["a"].required_labels == {"model_name"}
    assert selectors["b"].required_labels == set()


def test_name_matchers():
    regex, = extract('{__name__=~"node_filesystem_.*",job="node"}')[0]
    assert regex.name is None
    assert str(regex) == '{__name__=~"node_filesystem_.*",job="node"}'
    exact, = extract('{__name__="up",job="node"}')[0]
    assert exact.name == "up" and exact.equality() == [("job", "node")]


def test_absent_vector_and_numbers():
    assert names('absent(up{job="vllm"})') == ['up{job="vllm"}']
    assert names("vector(1)") == []
    assert names("vector(4) * 2 ^ -1") == []
    assert names("-up + +1") == ["up"]


def test_offset_at_and_subqueries():
    assert names('rate(a{job="x"}[5m] offset 1h) - b offset -5m @ 1700000000 + c @ start()') == [
        'a{job="x"}', "b", "c"]
    assert names("max_over_time(deriv(a[5m])[1h:])") == ["a"]
    assert names("avg_over_time((a > 0)[30m:1m] offset 1d)") == ["a"]


def test_strings_with_braces_and_label_replace():
    selectors, created = extract(
        'sum by (host) (label_replace(up{job="node",note="{x}"}, "host", "$1", "instance", "(.*):.*"))')
    assert created == {"host"}
    assert selectors[0].required_labels == set()
    assert selectors[0].matchers == [("job", "=", "node"), ("note", "=", "{x}")]


def test_functions_keywords_and_aggregation_parameters_are_not_selectors():
    assert names('topk(3, sum by (job) (rate(http_requests_total{job="vllm"}[5m])))') == [
        'http_requests_total{job="vllm"}']
    assert names('quantile(0.9, a) or count_values("v", b) unless histogram_quantile(0.99, sum by (le) (c))') == [
        "a", "b", "c"]
    assert names("a and bool_metric or on_call") == ["a", "bool_metric", "on_call"]


def test_precedence_does_not_lose_selectors():
    assert names("a + b * c ^ d ^ e == f and g or h unless i") == list("abcdefghi")


# --------------------------------------------------------------------------
# The shipped rules
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def rendered_rules(tmp_path_factory):
    """The role's rules rendered as tests/promtool/run.sh renders them."""
    out = tmp_path_factory.mktemp("rules")
    playbook = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    env = dict(os.environ, ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    subprocess.run([playbook, "-i", "localhost,", os.path.join(REPO, "tests/promtool/render.yml"),
                    "-e", "promtool_render_dir=%s" % out], check=True, env=env, stdout=subprocess.DEVNULL)
    files = sorted(str(p) for p in out.glob("*.rules.yml"))
    assert files
    return files


def test_every_rendered_expression_tokenizes(rendered_rules):
    rules = rule_series.rules_from_files(rendered_rules)
    recorded = {r["name"] for r in rules if r["kind"] == "record"}
    inputs = set()
    for rule in rules:
        selectors = extract(rule["expr"])[0]
        inputs |= {s.name for s in selectors}
    # Every alert reads something; the recorded names are inputs that the
    # checker skips, and no raw input is a keyword or a function name.
    assert {"up", "node_filesystem_avail_bytes", "vllm:num_requests_running"} <= inputs
    assert recorded & inputs
    assert not inputs & (rule_series.KEYWORDS | rule_series.AGGREGATIONS | {"rate", "increase", "vector", "absent"})


def test_checker_skips_recording_rule_names(rendered_rules, capsys):
    assert rule_series.main(["--list"] + [a for f in rendered_rules for a in ("--rules-file", f)]) == 0
    listed = capsys.readouterr().out
    assert "DCGM_FI_DEV_GPU_TEMP" in listed
    assert 'vllm:time_to_first_token_seconds_bucket{job="vllm",le="2.5"}' in listed
    for line in listed.splitlines():
        selector = line.split("  ")[1]
        assert not selector.startswith(("llmops:", "sli:")), line


def test_shipped_allowlist_entries_have_reasons():
    with open(os.path.join(HERE, "rule_series_allowlist.json"), encoding="utf-8") as handle:
        entries = json.load(handle)["allow"]
    assert entries and all(e["metric"] and len(e["reason"]) > 20 for e in entries)


# --------------------------------------------------------------------------
# Checks against a fake series source
# --------------------------------------------------------------------------
class FakeSource:
    def __init__(self, series):
        self.data = series
        self.queries = []

    def series(self, match):
        self.queries.append(match)
        name = match.split("{", 1)[0]
        job = None
        if 'job="' in match:
            job = match.split('job="', 1)[1].split('"', 1)[0]
        return [s for s in self.data if s["__name__"] == name and (job is None or s.get("job") == job)]


BUCKETS = [{"__name__": "ttft_bucket", "job": "vllm", "instance": "h1", "model_name": "m", "le": le}
           for le in ("1.0", "2.5", "+Inf")]


@pytest.mark.parametrize("expr, ok, message", [
    ('ttft_bucket{job="vllm",le="2.5"}', True, "3 series"),
    ('ttft_bucket{job="vllm",le="2.50"}', False, 'le="2.50" matches none of its 3 series'),
    ('sum by (job, engine) (ttft_bucket{job="vllm"})', False, "no label engine"),
    ('sum by (vllm_instance) (ttft_bucket{job="vllm",status=~"5.."})', False, "no label status"),
    ('ttft_bucket{job="vllm",model_name=~"x.*"} unless on (vllm_instance) ttft_bucket', True, "3 series"),
    ('ttft_bucket{job="other"}', False, "no series"),
])
def test_check_selector(expr, ok, message):
    selector = extract(expr)[0][0]
    result = rule_series.check_selector(selector, FakeSource(BUCKETS))
    assert result[0] is ok
    assert result[1].startswith(message)


def test_allowlist_matches_pattern_and_labels(tmp_path):
    path = tmp_path / "allow.json"
    path.write_text(json.dumps({"allow": [
        {"metric": "DCGM_FI_*", "reason": "no GPU here"},
        {"metric": "up", "labels": {"job": "dcgm"}, "reason": "no dcgm target"},
    ]}))
    entries = rule_series.load_allowlist([str(path)])
    assert rule_series.allowed(extract('DCGM_FI_DEV_GPU_TEMP{job="dcgm"}')[0][0], entries)
    assert rule_series.allowed(extract('up{job="dcgm"}')[0][0], entries)
    assert not rule_series.allowed(extract('up{job="node"}')[0][0], entries)


def test_selector_jobs():
    assert rule_series.selector_jobs(extract('up{job="node"}')[0][0]) == {"node"}
    assert rule_series.selector_jobs(extract('up{job=~"node|dcgm"}')[0][0]) == {"node", "dcgm"}
    assert rule_series.selector_jobs(extract('up{job=~"n.*"}')[0][0]) is None
    assert rule_series.selector_jobs(extract("up")[0][0]) is None


def test_rules_file_matches_yaml_shape(tmp_path):
    path = tmp_path / "x.rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": [
        {"record": "r:x", "expr": "sum(a)"}, {"alert": "A", "expr": "r:x > 0"}]}]}))
    assert rule_series.rules_from_files([str(path)]) == [
        {"group": "g", "kind": "record", "name": "r:x", "expr": "sum(a)"},
        {"group": "g", "kind": "alert", "name": "A", "expr": "r:x > 0"},
    ]
