# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of dashboard_queries.py against a fake Prometheus (a threaded http.server on 127.0.0.1).

Run: .venv/bin/python -m pytest -q tests/scripts
"""

import http.server
import json
import os
import re
import sys
import threading
import urllib.parse

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import dashboard_queries as dq  # noqa: E402  pylint: disable=wrong-import-position

SERIES = [
    {"__name__": "vllm:num_requests_running", "job": "vllm", "instance": "10.0.0.1:8000", "model_name": "m1"},
    {"__name__": "vllm:num_requests_running", "job": "vllm", "instance": "10.0.0.2:8000", "model_name": "m2"},
    {"__name__": "vllm:num_requests_running", "job": "vllm-b", "instance": "10.0.0.3:8000", "model_name": "m1"},
    {"__name__": "up", "job": "node", "instance": "host1:9100"},
    {"__name__": "up", "job": "vllm", "instance": "10.0.0.1:8000"},
]


def parse_selector(text):
    """name and [(label, op, value)] of a simple selector such as a{b=~"c",d="e"}."""
    match = re.match(r"^\s*([\w:]*)\s*(?:\{(.*)\})?\s*$", text, re.S)
    assert match, text
    matchers = [(m.group(1), m.group(2), m.group(3).replace("\\\\", "\\"))
                for m in re.finditer(r'(\w+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"', match.group(2) or "")]
    if match.group(1):
        matchers.append(("__name__", "=", match.group(1)))
    return matchers


def matches(labels, matchers):
    for label, op, value in matchers:
        actual = labels.get(label, "")
        if op == "=" and actual != value or op == "!=" and actual == value:
            return False
        if op == "=~" and not re.fullmatch(value, actual) or op == "!~" and re.fullmatch(value, actual):
            return False
    return True


class FakePrometheus:
    """Canned /api/v1 answers: label endpoints from SERIES, query_range from `ranges` (expr -> answer)."""

    def __init__(self):
        self.series = list(SERIES)
        self.ranges = {}  # expr -> list of series, or ("error", type, message)
        self.requests = []
        handler = self.handler()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def queries(self, path="/api/v1/query_range"):
        return [params for got, params in self.requests if got == path]

    def answer(self, path, params):
        selected = self.series
        if "match[]" in params:
            selected = [s for s in self.series if any(matches(s, parse_selector(m)) for m in params["match[]"])]
        label = re.match(r"^/api/v1/label/([^/]+)/values$", path)
        if label:
            name = urllib.parse.unquote(label.group(1))
            return 200, {"status": "success", "data": sorted({s[name] for s in selected if name in s})}
        if path == "/api/v1/labels":
            return 200, {"status": "success", "data": sorted({k for s in selected for k in s})}
        if path == "/api/v1/series":
            return 200, {"status": "success", "data": selected}
        if path == "/api/v1/query":
            expr = params["query"][0]
            found = [s for s in self.series if matches(s, parse_selector(expr))]
            return 200, {"status": "success", "data": {"resultType": "vector", "result": [
                {"metric": s, "value": [1700000000, "1"]} for s in found]}}
        if path == "/api/v1/query_range":
            answer = self.ranges.get(params["query"][0], [])
            if isinstance(answer, tuple):
                return 400, {"status": "error", "errorType": answer[1], "error": answer[2]}
            start = float(params["start"][0])
            return 200, {"status": "success", "data": {"resultType": "matrix", "result": [
                {"metric": labels, "values": [[start, "1"], [start + 15, "2"]]} for labels in answer]}}
        return 404, {"status": "error", "errorType": "not_found", "error": path}

    def handler(self):
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802  pylint: disable=invalid-name
                url = urllib.parse.urlsplit(self.path)
                params = urllib.parse.parse_qs(url.query)
                fake.requests.append((url.path, params))
                code, body = fake.answer(url.path, params)
                raw = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):  # pylint: disable=arguments-differ
                pass

        return Handler


@pytest.fixture
def prom():
    fake = FakePrometheus()
    yield fake
    fake.close()


def write(tmp_path, name, document):
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return str(path)


def dashboard(panels, variables=(), uid="fleet"):
    return {"uid": uid, "title": "Fleet", "panels": panels, "templating": {"list": list(variables)}}


JOB = {"name": "job", "type": "query", "datasource": {"type": "prometheus", "uid": "${datasource}"},
       "query": {"query": "label_values(vllm:num_requests_running, job)", "refId": "PrometheusVariableQueryEditor"},
       "current": {"text": "vllm", "value": "vllm"}}
INSTANCE = {"name": "instance", "type": "query", "multi": True, "includeAll": True,
            "query": 'label_values(vllm:num_requests_running{job=~"$job"}, instance)',
            "current": {"text": "All", "value": ["$__all"]}}
DATASOURCE = {"name": "datasource", "type": "datasource", "query": "prometheus",
              "current": {"text": "Prometheus", "value": "prom"}}


def run(prom, tmp_path, document, *extra, allow=None):
    path = write(tmp_path, "d.json", document)
    args = ["--url", prom.url, path, "--results", str(tmp_path / "out" / "results.json")]
    if allow is not None:
        args += ["--allowlist", write(tmp_path, "allow.json", allow)]
    return dq.main(args + list(extra))


# --------------------------------------------------------------------------
# Durations and macros
# --------------------------------------------------------------------------
def test_duration_formats():
    assert dq.parse_duration("1m30s") == 90000
    assert dq.parse_duration(">10s") == 10000
    assert dq.parse_duration("500ms") == 500
    assert [dq.format_interval(ms) for ms in (15000, 60000, 90000, 3600000, 500)] == ["15s", "1m", "1m", "1h", "500ms"]
    assert dq.format_exact(75000) == "1m15s"
    assert dq.format_exact(60000) == "1m"
    assert [dq.round_interval(ms) for ms in (3600, 86400, 600, 40000)] == [5000, 60000, 500, 30000]


@pytest.mark.parametrize("range_, extra, interval, rate", [
    ("1h", {}, "15s", "1m"),            # 3.6s rounds to 5s, below the 15s scrape: 15s; max(30s, 60s)
    ("10m", {}, "15s", "1m"),
    ("24h", {}, "1m", "1m15s"),          # 86.4s rounds to 1m; max(1m + 15s, 60s)
    ("7d", {}, "10m", "10m15s"),
    ("1h", {"min_interval": "1m"}, "1m", "1m15s"),
    ("1h", {"max_data_points": 100}, "30s", "1m"),  # 36s rounds to 30s; max(45s, 60s)
    ("1h", {"target_interval": "2m"}, "2m", "8m"),  # min step 2m: rate max(15s + 2m, 8m)
])
def test_macros(range_, extra, interval, rate):
    context = dq.TimeContext(10 ** 12, dq.parse_duration(range_), 15000, **extra)
    macros = context.macros()
    assert macros["__interval"] == interval
    assert macros["__rate_interval"] == rate
    assert macros["__interval_ms"] == str(dq.parse_duration(interval))
    assert macros["__rate_interval_ms"] == str(dq.parse_duration(rate))


def test_range_macros_and_substitution():
    context = dq.TimeContext(10 ** 12, 3600000, 15000)
    text = dq.substitute("rate(a[$__rate_interval]) [${__interval}] $__range $__range_s $__range_ms $__interval_ms "
                         '$1 label_replace(x, "y", "$1", "z", "(.*)")', {}, context.macros())
    assert text == 'rate(a[1m]) [15s] 3600s 3600 3600000 15000 $1 label_replace(x, "y", "$1", "z", "(.*)")'


# --------------------------------------------------------------------------
# Substitution formats
# --------------------------------------------------------------------------
def test_substitution_formats():
    instance = dq.Variable("instance", ["10.0.0.1:8000", "a|b"], multi=True, include_all=True, is_all=True)
    single = dq.Variable("model", ["org/m's"])
    variables = {"instance": instance, "model": single}
    assert dq.substitute('{instance=~"$instance"}', variables) == '{instance=~"(10\\\\.0\\\\.0\\\\.1:8000|a\\\\|b)"}'
    assert dq.substitute("${instance:regex}", variables) == "(10\\.0\\.0\\.1:8000|a\\|b)"
    assert dq.substitute("${instance:pipe}|[[instance:csv]]|${instance:raw}", variables) == \
        "10.0.0.1:8000|a|b|10.0.0.1:8000,a|b|10.0.0.1:8000,a|b"
    assert dq.substitute("[[model]] ${model} $model", variables) == "org/m\\\\'s org/m\\\\'s org/m\\\\'s"
    assert dq.substitute("$unknown ${model:regex}", variables) == "$unknown org\\/m's"
    one = dq.Variable("one", ["a.b"], multi=True)
    assert dq.substitute("$one", {"one": one}) == "a\\\\.b"


def test_all_value_is_used_raw():
    variables = {"job": dq.Variable("job", ["vllm"]),
                 "instance": dq.Variable("instance", ["a", "b"], multi=True, include_all=True,
                                         all_value=".+:$job", is_all=True)}
    assert dq.substitute('{instance=~"$instance"}', variables) == '{instance=~".+:vllm"}'
    assert dq.substitute("${instance:regex}", variables) == ".+:vllm"


def test_custom_options_and_regex():
    assert dq.custom_options("a, b\\,c ,Fast : 0.5") == [("a", "a"), ("b,c", "b,c"), ("Fast", "0.5")]
    options = [(v, v) for v in ("10.0.0.1:8000", "10.0.0.2:8000", "host")]
    assert dq.apply_regex(options, "/^(.*):\\d+$/") == [("10.0.0.1", "10.0.0.1"), ("10.0.0.2", "10.0.0.2")]
    assert dq.apply_regex(options, "/(?<text>[^:]+):(?<value>\\d+)/") == [("10.0.0.1", "8000"), ("10.0.0.2", "8000")]
    assert dq.apply_regex(options, "host") == [("host", "host")]


# --------------------------------------------------------------------------
# Variable resolution against the fake Prometheus
# --------------------------------------------------------------------------
def resolve(prom, variables, allow=None):
    checker = dq.Checker(dq.Prometheus(prom.url), dq.Allowlist([]) if allow is None else allow, 600000, 15000)
    return checker.resolve_variables(dashboard([], variables), "fleet", 1700000000000)


def test_chained_label_values_in_dependency_order(prom):
    # instance (listed first) depends on job: job resolves first, its current value is an option.
    variables, rows, info = resolve(prom, [INSTANCE, JOB, DATASOURCE])
    assert rows == []
    assert variables["job"].values == ["vllm"]
    assert variables["instance"].values == ["10.0.0.1:8000", "10.0.0.2:8000"]
    assert info["instance"]["text"] == "(10\\\\.0\\\\.0\\\\.1:8000|10\\\\.0\\\\.0\\\\.2:8000)"
    calls = [p["match[]"] for path, p in prom.requests if path == "/api/v1/label/instance/values"]
    assert calls == [['vllm:num_requests_running{job=~"vllm"}']]


def test_current_not_in_options_falls_back_to_first(prom):
    job = dict(JOB, current={"text": "gone", "value": "gone"}, sort=2)
    variables, rows, _info = resolve(prom, [job])
    assert rows == [] and variables["job"].values == ["vllm-b"]


def test_regex_custom_constant_textbox_interval(prom):
    host = {"name": "host", "type": "query", "query": "label_values(up, instance)", "regex": "/^([^:]+):9100$/"}
    specs = [
        host,
        {"name": "q", "type": "custom", "query": "0.5,0.9,0.99", "current": {"value": "0.9"}},
        {"name": "qs", "type": "custom", "query": "0.5,0.9", "multi": True, "includeAll": True, "allValue": ".*"},
        {"name": "c", "type": "constant", "query": "vllm"},
        {"name": "t", "type": "textbox", "query": "x", "current": {"value": "typed"}},
        {"name": "i", "type": "interval", "query": "1m,5m", "current": {"value": "5m"}},
        {"name": "names", "type": "query", "query": "label_names()", "regex": "/^(job|model_name)$/"},
        {"name": "metric", "type": "query", "query": "metrics(^vllm:)"},
        {"name": "qr", "type": "query", "query": 'query_result(up{job="node"})', "regex": '/instance="([^"]+)"/'},
    ]
    variables, rows, _info = resolve(prom, specs)
    assert rows == []
    got = {name: variables[name].values for name in variables}
    assert got == {"host": ["host1"], "q": ["0.9"], "qs": ["0.5", "0.9"], "c": ["vllm"], "t": ["typed"],
                   "i": ["5m"], "names": ["job"], "metric": ["vllm:num_requests_running"], "qr": ["host1:9100"]}
    assert dq.substitute("$qs $q", variables) == ".* 0.9"


def test_variable_without_values_fails_unless_allowlisted(prom):
    empty = {"name": "gpu", "type": "query", "query": "label_values(DCGM_FI_DEV_GPU_UTIL, gpu)"}
    _variables, rows, _info = resolve(prom, [empty])
    assert [(r["panel"], r["status"], r["reason"]) for r in rows] == [
        ("$gpu", "fail", "variable resolves to no value")]
    allow = dq.Allowlist([{"pattern": "fleet/$gpu", "reason": "no GPU", "source": "x", "empty": [], "data": []}])
    _variables, rows, _info = resolve(prom, [empty], allow)
    assert rows[0]["status"] == "allowed" and "no GPU" in rows[0]["reason"]


def test_cyclic_variables_fail(prom):
    a = {"name": "a", "type": "query", "query": "label_values(up{job=~\"$b\"}, job)"}
    b = {"name": "b", "type": "query", "query": "label_values(up{job=~\"$a\"}, job)"}
    _variables, rows, _info = resolve(prom, [a, b])
    assert [r["status"] for r in rows] == ["fail", "fail"]
    assert "cyclic" in rows[0]["reason"]


# --------------------------------------------------------------------------
# Whole runs
# --------------------------------------------------------------------------
RUNNING = 'sum by (instance) (vllm:num_requests_running{job=~"vllm",instance=~"(10\\\\.0\\\\.0\\\\.1:8000|10\\\\.0\\\\.0\\\\.2:8000)"})'


def panels():
    return [
        {"id": 1, "type": "timeseries", "title": "Running", "targets": [{
            "refId": "A", "legendFormat": "{{instance}}",
            "expr": 'sum by (instance) (vllm:num_requests_running{job=~"$job",instance=~"$instance"})'}]},
        {"id": 2, "type": "row", "title": "More", "collapsed": True, "panels": [
            {"id": 3, "type": "timeseries", "title": "Rate", "interval": "1m", "targets": [
                {"refId": "A", "expr": "rate(vllm:prompt_tokens_total[$__rate_interval])"},
                {"refId": "B", "hide": True, "expr": "vllm:num_preemptions_total"}]},
            {"id": 4, "type": "text", "title": "Notes"},
        ]},
    ]


def test_all_queries_with_data_pass_and_results_are_written(prom, tmp_path, capsys):
    prom.ranges[RUNNING] = [{"instance": "10.0.0.1:8000"}, {"instance": "10.0.0.2:8000"}]
    prom.ranges["rate(vllm:prompt_tokens_total[1m15s])"] = [{"instance": "10.0.0.1:8000"}]
    prom.ranges["vllm:num_preemptions_total"] = [{"instance": "10.0.0.1:8000"}]
    assert run(prom, tmp_path, dashboard(panels(), [DATASOURCE, JOB, INSTANCE]), "--max-series", "1") == 0
    out = capsys.readouterr().out
    assert re.search(r"ok +fleet +Running +A +series=2", out)
    assert re.search(r"ok +fleet +Rate +B +series=1", out)
    assert "3 queries: 3 ok, 0 allowed, 0 failed" in out
    steps = [p["step"][0] for p in prom.queries()]
    assert steps == ["15s", "60s", "60s"]
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    fleet, = results["dashboards"]
    assert fleet["uid"] == "fleet" and fleet["variables"]["instance"]["values"] == ["10.0.0.1:8000", "10.0.0.2:8000"]
    running = fleet["panels"][0]
    assert running["title"] == "Running" and running["type"] == "timeseries"
    target, = running["targets"]
    assert target["resolved_expr"] == RUNNING and target["legendFormat"] == "{{instance}}"
    assert target["series_count"] == 2 and len(target["series"]) == 1
    assert target["series"][0]["metric"] == {"instance": "10.0.0.1:8000"}
    assert target["series"][0]["values"][0][1] == "1"
    assert target["end"] - target["start"] == 600 and target["step"] == 15
    assert [t["refId"] for t in fleet["panels"][1]["targets"]] == ["A", "B"]


def test_empty_result_fails_and_names_missing_metrics(prom, tmp_path, capsys):
    prom.ranges[RUNNING] = [{"instance": "10.0.0.1:8000"}]
    assert run(prom, tmp_path, dashboard(panels(), [JOB, INSTANCE])) == 1
    out = capsys.readouterr().out
    assert re.search(r"FAIL +fleet +Rate +A +no series; metrics not in Prometheus: vllm:prompt_tokens_total", out)
    assert "expr: rate(vllm:prompt_tokens_total[1m15s])" in out
    assert "3 queries: 1 ok, 0 allowed, 2 failed" in out


def test_empty_with_existing_metric_says_so(prom, tmp_path, capsys):
    document = dashboard([{"title": "Up", "targets": [{"refId": "A", "expr": 'up{job="nope"}'}]}])
    assert run(prom, tmp_path, document) == 1
    assert "its metrics exist (up)" in capsys.readouterr().out


def test_prometheus_error_fails_with_its_message(prom, tmp_path, capsys):
    prom.ranges["sum(rate(x[5m])"] = ("error", "bad_data", 'invalid parameter "query": 1:16: parse error: unclosed left parenthesis')
    document = dashboard([{"title": "Broken", "targets": [{"refId": "A", "expr": "sum(rate(x[5m])"}]}])
    assert run(prom, tmp_path, document, "--wait", "30", "--retry-interval", "0.1") == 1
    out = capsys.readouterr().out
    assert "FAIL    fleet  Broken" in out
    assert 'Prometheus error: bad_data: invalid parameter "query": 1:16: parse error: unclosed left parenthesis' in out
    # A parse error cannot heal: no retries.
    assert len(prom.queries()) == 1


def test_allowlist_with_reason_passes_and_is_listed(prom, tmp_path, capsys):
    prom.ranges[RUNNING] = [{"instance": "10.0.0.1:8000"}]
    allow = {"_comment": "ignored", "fleet/Rate/*": "counters that only move on preemption or load"}
    assert run(prom, tmp_path, dashboard(panels(), [JOB, INSTANCE]), allow=allow) == 0
    out = capsys.readouterr().out
    assert re.search(r"allowed +fleet +Rate +B +no series.*\(allowed: counters that only move", out)
    listed = out.split("allowed (empty on this fleet, allowlisted):")[1]
    assert "fleet/Rate/A" in listed and "fleet/Rate/B" in listed
    assert "3 queries: 1 ok, 2 allowed, 0 failed; 0 stale" in out
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["dashboards"][0]["panels"][1]["targets"][0]["status"] == "allowed"


def test_stale_allowlist_entry_warns(prom, tmp_path, capsys):
    prom.ranges[RUNNING] = [{"instance": "10.0.0.1:8000"}]
    prom.ranges["rate(vllm:prompt_tokens_total[1m15s])"] = [{}]
    prom.ranges["vllm:num_preemptions_total"] = [{}]
    allow = {"fleet/Rate": "no load in the test", "other/*": "another dashboard"}
    assert run(prom, tmp_path, dashboard(panels(), [JOB, INSTANCE]), allow=allow) == 0
    out = capsys.readouterr().out
    stale = out.split("WARNING stale allowlist entries")[1].split("allowlist entries matching no query here:")[0]
    assert "fleet/Rate: no load in the test" in stale and "fleet/Rate/A" in stale
    assert "other/*" not in stale
    assert "other/*: another dashboard" in out.split("allowlist entries matching no query here:")[1]
    assert "1 stale allowlist entries" in out


def test_wait_retries_until_data_arrives(prom, tmp_path, capsys):
    document = dashboard([{"title": "Late", "targets": [{"refId": "A", "expr": "late_metric"}]}])
    calls = []
    original = prom.answer

    def answer(path, params):
        if path == "/api/v1/query_range":
            calls.append(1)
            if len(calls) == 3:
                prom.ranges["late_metric"] = [{"job": "x"}]
        return original(path, params)

    prom.answer = answer
    assert run(prom, tmp_path, document, "--wait", "20", "--retry-interval", "0.05") == 0
    assert len(calls) == 3
    assert "retrying" in capsys.readouterr().out


def test_repeat_panels_timefrom_and_non_prometheus_targets(prom, tmp_path, capsys):
    document = dashboard([
        {"title": "Per $instance", "repeat": "instance", "timeFrom": "1h", "targets": [
            {"refId": "A", "expr": 'up{instance=~"$instance"}'},
            {"refId": "B", "datasource": {"type": "__expr__", "uid": "__expr__"}, "expression": "$A"}]},
    ], [JOB, INSTANCE])
    prom.ranges['up{instance=~"10\\\\.0\\\\.0\\\\.1:8000"}'] = [{"instance": "10.0.0.1:8000"}]
    assert run(prom, tmp_path, document) == 1
    out = capsys.readouterr().out
    assert re.search(r"ok +fleet +Per 10.0.0.1:8000 \[instance=10.0.0.1:8000\] +A +series=1", out)
    assert re.search(r"FAIL +fleet +Per 10.0.0.2:8000 \[instance=10.0.0.2:8000\] +A +no series", out)
    assert "2 queries" in out
    starts = [(float(p["end"][0]) - float(p["start"][0])) for p in prom.queries()]
    assert starts == [3600, 3600]


def test_metric_name_extraction_fallback():
    expr = ('histogram_quantile(0.99, sum by (le, model_name) (rate(vllm:e2e_request_latency_seconds_bucket'
            '{job=~"vllm",le!="x"}[5m]))) / on (instance) group_left up offset 5m and bool_x')
    assert dq.regex_metric_names(expr) == ["bool_x", "up", "vllm:e2e_request_latency_seconds_bucket"]
    assert dq.metric_names(expr) == ["bool_x", "up", "vllm:e2e_request_latency_seconds_bucket"]
    assert dq.regex_metric_names('{__name__="a:b", job="x"}') == ["a:b"]


def test_shipped_allowlist_is_valid():
    path = os.path.join(HERE, "dashboard_queries_allowlist.json")
    allowlist = dq.Allowlist.load([path])
    assert all(len(entry["reason"]) > 10 for entry in allowlist.entries)
