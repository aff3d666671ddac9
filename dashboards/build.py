# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Generate the shipped Grafana dashboards (dashboards/*.json) from code.

Standard library only. Every dashboard is a list of rows of panels built with
the small helpers below; the JSON is written pretty-printed with sorted keys,
so the output is stable and reviewable.

Metric names and labels come from real scrapes (/work/shared/reference:
vLLM 0.32.0 and LiteLLM 1.108.7), from the dcgm_exporter role's counters
(roles/dcgm_exporter/defaults/main.yml, the exporter's default-counters.csv
plus dcgm_exporter_counters_extra) and from node_exporter (Debian 12's
1.5.0 names, systemd collector on through node_exporter_enabled_collectors).
Recording rules are the prometheus role's (roles/prometheus/templates/rules).

Usage: python3 dashboards/build.py [--check] [--out DIR]
"""

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

SCHEMA_VERSION = 41
TAG = "llmops"
# Every panel and target names the data source through the `datasource`
# template variable, never by a fixed uid.
DS = {"type": "prometheus", "uid": "${datasource}"}
RATE = "$__rate_interval"
QUANTILES = (0.5, 0.9, 0.95, 0.99)
# DCGM "blank" sentinels (no reading) start at DCGM_INT32_BLANK; the integer
# fields shown here never reach it (same filter as the gpu alert rules).
NOT_BLANK = "< 2147483632"


# --------------------------------------------------------------------------
# Helpers: targets, panels, rows, variables
# --------------------------------------------------------------------------
def target(expr, legend="", ref="A", fmt=None, instant=False):
    """One Prometheus query of a panel."""
    item = {
        "datasource": DS,
        "editorMode": "code",
        "expr": expr,
        "legendFormat": legend or "__auto",
        "range": not instant,
        "instant": instant,
        "refId": ref,
    }
    if fmt:
        item["format"] = fmt
    return item


def _refs(targets):
    """Give the targets of one panel the refIds A, B, C, ..."""
    for index, item in enumerate(targets):
        item["refId"] = chr(ord("A") + index)
    return targets


def panel(kind, title, description, targets, unit="short", w=12, h=8, options=None, field=None,
          overrides=None):
    """Any panel; timeseries(), stat() and heatmap() fill in its options."""
    defaults = {"unit": unit}
    defaults.update(field or {})
    return {
        "type": kind,
        "title": title,
        "description": description,
        "datasource": DS,
        "targets": _refs(list(targets)),
        "fieldConfig": {"defaults": defaults, "overrides": overrides or []},
        "options": options or {},
        "gridPos": {"w": w, "h": h},
    }


def timeseries(title, description, targets, unit="short", w=12, h=8, stack=False, minimum=None,
               maximum=None, thresholds=None, mappings=None):
    custom = {
        "drawStyle": "line",
        "lineWidth": 1,
        "fillOpacity": 10,
        "showPoints": "never",
        "spanNulls": False,
        "stacking": {"mode": "normal" if stack else "none", "group": "A"},
    }
    field = {"custom": custom}
    if minimum is not None:
        field["min"] = minimum
    if maximum is not None:
        field["max"] = maximum
    if thresholds:
        custom["thresholdsStyle"] = {"mode": "line"}
        field["thresholds"] = _thresholds(thresholds)
    if mappings:
        field["mappings"] = mappings
    options = {
        "legend": {"displayMode": "table", "placement": "bottom", "showLegend": True, "calcs": ["mean", "max", "lastNotNull"]},
        "tooltip": {"mode": "multi", "sort": "desc"},
    }
    return panel("timeseries", title, description, targets, unit, w, h, options, field)


def stat(title, description, targets, unit="short", w=4, h=4, thresholds=None, mappings=None, decimals=None):
    field = {"thresholds": _thresholds(thresholds or [])}
    if mappings:
        field["mappings"] = mappings
    if decimals is not None:
        field["decimals"] = decimals
    options = {
        "colorMode": "value",
        "graphMode": "area",
        "justifyMode": "auto",
        "orientation": "auto",
        "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
        "textMode": "auto",
    }
    return panel("stat", title, description, targets, unit, w, h, options, field)


def heatmap(title, description, metric, selector, unit="short", w=12, h=8):
    """Distribution of a Prometheus histogram over time (bucket increases per le)."""
    expr = 'sum by (le) (increase(%s_bucket%s[%s]))' % (metric, selector, RATE)
    options = {
        "calculate": False,
        "cellGap": 1,
        "color": {"mode": "scheme", "scheme": "Oranges", "steps": 64, "exponent": 0.5, "fill": "dark-orange",
                  "scale": "exponential", "reverse": False},
        "filterValues": {"le": 1e-9},
        "legend": {"show": True},
        "rowsFrame": {"layout": "auto"},
        "tooltip": {"mode": "single", "yHistogram": False},
        "yAxis": {"axisPlacement": "left", "unit": unit, "reverse": False},
    }
    return panel("heatmap", title, description, [target(expr, "{{le}}", fmt="heatmap")], "short", w, h, options)


def _thresholds(steps):
    """[(value, color), ...] after the base green step."""
    return {"mode": "absolute", "steps": [{"color": "green", "value": None}]
            + [{"color": color, "value": value} for value, color in steps]}


def row(title, panels, collapsed=False):
    return {"row": title, "collapsed": collapsed, "panels": panels}


def latency(metric, selector, by, legend):
    """P50/P90/P95/P99 and mean of a histogram, per `by` labels."""
    group = ", ".join(by)
    targets = [
        target('histogram_quantile(%s, sum by (le, %s) (rate(%s_bucket%s[%s])))' % (q, group, metric, selector, RATE),
               "p%d %s" % (round(q * 100), legend))
        for q in QUANTILES
    ]
    targets.append(target(
        'sum by (%s) (rate(%s_sum%s[%s]))\n/\nsum by (%s) (rate(%s_count%s[%s]))'
        % (group, metric, selector, RATE, group, metric, selector, RATE),
        "mean %s" % legend))
    return targets


def datasource_variable():
    # `current` stays empty on purpose: a provisioned copy (the grafana role;
    # Grafana ignores __inputs there) then opens on the organisation's default
    # data source instead of an unresolved "${DS_PROMETHEUS}". Imported by
    # hand, the DS_PROMETHEUS input of __inputs is offered by the import dialog,
    # and the picker (datasource variable) switches to any Prometheus later.
    return {
        "name": "datasource",
        "label": "Data source",
        "type": "datasource",
        "query": "prometheus",
        "current": {},
        "hide": 0,
        "includeAll": False,
        "multi": False,
        "options": [],
        "refresh": 1,
        "regex": "",
    }


def query_variable(name, label, query, default=None, multi=True, include_all=True):
    """A label_values() variable; `default` pre-selects one value (the job)."""
    current = {}
    if default is not None:
        current = {"selected": True, "text": [default] if multi else default, "value": [default] if multi else default}
    variable = {
        "name": name,
        "label": label,
        "type": "query",
        "datasource": DS,
        "definition": query,
        "query": {"qryType": 1, "query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery"},
        "current": current,
        "hide": 0,
        "includeAll": include_all,
        "multi": multi,
        "options": [],
        "refresh": 2,
        "regex": "",
        "sort": 1,
    }
    if include_all and name != "job":
        # One regex for "All" instead of a long alternation of every value.
        # Not for job: its values are those of one exporter's metric, and
        # `up{job=~".*"}` would count every other job's targets too.
        variable["allValue"] = ".*"
    return variable


def textbox_variable(name, label, value, description):
    return {
        "name": name,
        "label": label,
        "description": description,
        "type": "textbox",
        "query": value,
        "current": {"selected": False, "text": value, "value": value},
        "options": [{"selected": True, "text": value, "value": value}],
        "hide": 0,
    }


def links():
    # Every shipped dashboard carries the llmops tag: one dropdown lists them
    # all. The time range travels; variables do not (job differs per dashboard).
    return [{
        "type": "dashboards",
        "title": "llmops dashboards",
        "tags": [TAG],
        "asDropdown": True,
        "includeVars": False,
        "keepTime": True,
        "targetBlank": False,
        "icon": "external link",
        "tooltip": "",
        "url": "",
    }]


def link_to(uid, title, tooltip):
    """A link to one shipped dashboard that carries time range and variables."""
    return {
        "type": "link",
        "title": title,
        "tooltip": tooltip,
        "url": "/d/%s" % uid,
        "asDropdown": False,
        "includeVars": True,
        "keepTime": True,
        "targetBlank": False,
        "icon": "dashboard",
        "tags": [],
    }


def dashboard(uid, title, description, variables, rows, extra_links=None):
    """Lay the rows out on the 24-column grid and wrap them in a dashboard."""
    panels = []
    next_id = 1
    y = 0
    for item in rows:
        row_panel = {"type": "row", "title": item["row"], "collapsed": item["collapsed"], "id": next_id,
                     "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}, "panels": []}
        next_id += 1
        y += 1
        panels.append(row_panel)
        x = 0
        line_height = 0
        for entry in item["panels"]:
            entry = dict(entry)
            w, h = entry["gridPos"]["w"], entry["gridPos"]["h"]
            if x + w > 24:
                y += line_height
                x = 0
                line_height = 0
            entry["gridPos"] = {"h": h, "w": w, "x": x, "y": y}
            entry["id"] = next_id
            next_id += 1
            x += w
            line_height = max(line_height, h)
            if item["collapsed"]:
                row_panel["panels"].append(entry)
            else:
                panels.append(entry)
        y += line_height
    return {
        "__inputs": [{
            "name": "DS_PROMETHEUS",
            "label": "Prometheus",
            "description": "Prometheus of the llmops fleet (the prometheus role)",
            "type": "datasource",
            "pluginId": "prometheus",
            "pluginName": "Prometheus",
        }],
        "__requires": [
            {"type": "grafana", "id": "grafana", "name": "Grafana", "version": "12.0.0"},
            {"type": "datasource", "id": "prometheus", "name": "Prometheus", "version": "1.0.0"},
            {"type": "panel", "id": "timeseries", "name": "Time series", "version": ""},
            {"type": "panel", "id": "stat", "name": "Stat", "version": ""},
            {"type": "panel", "id": "heatmap", "name": "Heatmap", "version": ""},
        ],
        "annotations": {"list": []},
        "description": description,
        "editable": True,
        "fiscalYearStartMonth": 0,
        "graphTooltip": 1,
        "id": None,
        "links": links() + (extra_links or []),
        "panels": panels,
        "refresh": "1m",
        "schemaVersion": SCHEMA_VERSION,
        "tags": [TAG],
        "templating": {"list": [datasource_variable()] + variables},
        "time": {"from": "now-6h", "to": "now"},
        "timepicker": {},
        "timezone": "browser",
        "title": title,
        "uid": uid,
        "version": 1,
        "weekStart": "",
    }


def selector(**matchers):
    """{label=~"$var", ...} from keyword arguments (label=variable or raw matcher)."""
    parts = []
    for label, value in matchers.items():
        parts.append('%s%s' % (label, value if value[:1] in ('=', '!') else '=~"$%s"' % value))
    return "{" + ",".join(parts) + "}"


# --------------------------------------------------------------------------
# vLLM serving
# --------------------------------------------------------------------------
def vllm():
    sel = selector(job="job", instance="instance", vllm_instance="vllm_instance", model_name="model_name")
    # http_requests_total has no model_name: the server's own labels only.
    http = selector(job="job", instance="instance", vllm_instance="vllm_instance")
    by = ["model_name", "instance", "vllm_instance"]
    who = "{{model_name}} {{instance}}/{{vllm_instance}}"
    group = ", ".join(by)
    anchor = "vllm:num_requests_running"
    variables = [
        query_variable("job", "Job", 'label_values(%s, job)' % anchor, default="vllm"),
        query_variable("instance", "Host", 'label_values(%s{job=~"$job"}, instance)' % anchor),
        query_variable("vllm_instance", "vLLM instance",
                       'label_values(%s{job=~"$job",instance=~"$instance"}, vllm_instance)' % anchor),
        query_variable("model_name", "Model",
                       'label_values(%s{job=~"$job",instance=~"$instance",vllm_instance=~"$vllm_instance"}, model_name)'
                       % anchor),
    ]
    rows = [
        row("Overview", [
            stat("Targets up", "vLLM servers Prometheus scrapes successfully; fewer than expected means a server is down.",
                 [target('sum(up%s)' % http, instant=True)], w=4),
            stat("Requests/s", "Completed requests per second over all selected servers; a drop to zero with waiting requests means the engine stalls.",
                 [target('sum(rate(vllm:request_success_total%s[%s]))' % (sel, RATE), instant=True)], unit="reqps", w=4),
            stat("Running", "Requests in the running batch now; compare with max_num_seqs.",
                 [target('sum(vllm:num_requests_running%s)' % sel, instant=True)], w=4),
            stat("Waiting", "Requests queued for a batch slot now; a steady non-zero value means the servers are saturated.",
                 [target('sum(vllm:num_requests_waiting%s)' % sel, instant=True)], w=4, thresholds=[(1, "yellow"), (10, "red")]),
            stat("KV cache usage (max)", "Fullest KV cache of the selected servers; near 100% requests queue or get preempted.",
                 [target('max(vllm:kv_cache_usage_perc%s)' % sel, instant=True)], unit="percentunit", w=4,
                 thresholds=[(0.8, "yellow"), (0.9, "red")]),
            stat("HTTP 5xx ratio", "Share of HTTP responses with a 5xx status; anything above zero is a server-side failure.",
                 # No 5xx at all is no series: or vector(0) shows it as 0, not "No data".
                 [target('(sum(rate(http_requests_total%s[%s])) or vector(0)) / sum(rate(http_requests_total%s[%s]))'
                         % (http[:-1] + ',status="5xx"}', RATE, http, RATE), instant=True)],
                 unit="percentunit", w=4, thresholds=[(0.01, "yellow"), (0.05, "red")]),
        ]),
        row("Latency", [
            timeseries("E2E request latency", "End-to-end request latency quantiles and mean per model and server; watch p99 against the e2e SLO threshold.",
                       latency("vllm:e2e_request_latency_seconds", sel, by, who), unit="s"),
            timeseries("Time to first token", "Time until the first output token per model and server; rising TTFT with waiting requests means queueing.",
                       latency("vllm:time_to_first_token_seconds", sel, by, who), unit="s"),
            timeseries("Inter-token latency", "Time between two output tokens of a request (vllm:inter_token_latency_seconds); rising values mean "
                                              "larger batches or preemption.",
                       latency("vllm:inter_token_latency_seconds", sel, by, who), unit="s"),
            timeseries("Queue time", "Time requests spent waiting before their first scheduling; non-zero p90 means too few batch slots or KV cache.",
                       latency("vllm:request_queue_time_seconds", sel, by, who), unit="s"),
            timeseries("Prefill and decode time", "Median, p99 and mean time of the prefill and decode phases; prefill grows with prompt length, "
                                                  "decode with output length.",
                       [target('histogram_quantile(%s, sum by (le, %s) (rate(vllm:request_%s_time_seconds_bucket%s[%s])))'
                               % (q, group, phase, sel, RATE), "%s p%d %s" % (phase, round(q * 100), who))
                        for phase in ("prefill", "decode") for q in (0.5, 0.99)]
                       + [target('sum by (%s) (rate(vllm:request_%s_time_seconds_sum%s[%s]))\n/\nsum by (%s) (rate(vllm:request_%s_time_seconds_count%s[%s]))'
                                 % (group, phase, sel, RATE, group, phase, sel, RATE), "%s mean %s" % (phase, who))
                          for phase in ("prefill", "decode")],
                       unit="s", w=24),
        ]),
        row("Throughput and errors", [
            timeseries("Token throughput", "Prompt and generated tokens per second per model and server; the generation rate is the serving capacity in use.",
                       [target('sum by (%s) (rate(vllm:prompt_tokens_total%s[%s]))' % (group, sel, RATE), "prompt " + who),
                        target('sum by (%s) (rate(vllm:generation_tokens_total%s[%s]))' % (group, sel, RATE), "generation " + who)],
                       unit="short"),
            timeseries("Finish reasons", "Finished requests per second by reason; many length finishes mean max_tokens cuts answers, abort and error "
                                         "mean failures.",
                       [target('sum by (finished_reason, model_name) (rate(vllm:request_success_total%s[%s]))' % (sel, RATE),
                               "{{finished_reason}} {{model_name}}")], unit="reqps", stack=True),
            timeseries("Request rate by status and handler", "HTTP requests per second per API handler and status class; the shape of the traffic the "
                                                             "servers get.",
                       [target('sum by (handler, status) (rate(http_requests_total%s[%s]))' % (http, RATE), "{{status}} {{handler}}")],
                       unit="reqps"),
            timeseries("Error rate", "Share of 4xx and 5xx responses per server; 5xx are server failures, a 4xx rise usually a client or a "
                                     "context-length problem.",
                       [target('sum by (instance, vllm_instance, status) (rate(http_requests_total%s[%s]))\n/ ignoring (status) group_left\n'
                               'sum by (instance, vllm_instance) (rate(http_requests_total%s[%s]))'
                               % (http[:-1] + ',status=~"4xx|5xx"}', RATE, http, RATE), "{{status}} {{instance}}/{{vllm_instance}}")],
                       unit="percentunit", minimum=0),
        ]),
        row("Scheduler and cache", [
            timeseries("Scheduler state", "Running and waiting requests per model and server; waiting above zero for long means the server is saturated.",
                       [target('sum by (%s) (vllm:num_requests_running%s)' % (group, sel), "running " + who),
                        target('sum by (%s) (vllm:num_requests_waiting%s)' % (group, sel), "waiting " + who)]),
            timeseries("KV cache usage", "Share of the KV cache blocks in use per model and server (vllm:kv_cache_usage_perc); near 1 new requests "
                                         "wait or running ones are preempted.",
                       [target('max by (%s) (vllm:kv_cache_usage_perc%s)' % (group, sel), who)],
                       unit="percentunit", minimum=0, maximum=1, thresholds=[(0.9, "red")]),
            timeseries("Prefix cache hit rate", "Share of prompt tokens served from the prefix cache (hits over queries); higher is cheaper prefill.",
                       [target('sum by (%s) (rate(vllm:prefix_cache_hits_total%s[%s]))\n/\nsum by (%s) (rate(vllm:prefix_cache_queries_total%s[%s]))'
                               % (group, sel, RATE, group, sel, RATE), who)],
                       unit="percentunit", minimum=0, maximum=1),
            timeseries("Preemptions", "Requests preempted per second (KV cache exhausted, work recomputed); sustained preemptions need more KV cache "
                                      "or fewer sequences.",
                       [target('sum by (%s) (rate(vllm:num_preemptions_total%s[%s]))' % (group, sel, RATE), who)], unit="short"),
        ]),
        row("Request shape", [
            heatmap("Prompt length", "Distribution of prompt lengths in tokens (vllm:request_prompt_tokens); long prompts raise TTFT and KV cache use.",
                    "vllm:request_prompt_tokens", sel, w=8),
            heatmap("Generation length", "Distribution of generated tokens per request (vllm:request_generation_tokens); long outputs hold batch slots longer.",
                    "vllm:request_generation_tokens", sel, w=8),
            heatmap("Max generation tokens per request", "Distribution of the maximum tokens a request may generate "
                                                         "(vllm:request_max_num_generation_tokens); compare with the actual generation length.",
                    "vllm:request_max_num_generation_tokens", sel, w=8),
        ], collapsed=True),
    ]
    return dashboard("llmops-vllm", "vLLM serving",
                     "vLLM 0.32 servers per model and instance: latency, throughput, scheduler, KV cache and errors.",
                     variables, rows,
                     [link_to("llmops-fleet", "Fleet and SLO overview (this job and model)",
                              "The SLOs and availability of the selected models")])


# --------------------------------------------------------------------------
# Fleet and SLO overview
# --------------------------------------------------------------------------
SLO_WINDOWS = ("5m", "30m", "1h", "6h")


def fleet():
    sel = selector(job="job", model_name="model_name")
    up = selector(job="job")
    variables = [
        query_variable("job", "vLLM job", 'label_values(vllm:num_requests_running, job)', default="vllm"),
        query_variable("model_name", "Model", 'label_values(vllm:num_requests_running{job=~"$job"}, model_name)'),
        textbox_variable("ttft_objective", "TTFT objective", "0.99",
                         "prometheus_slo_ttft_objective of the prometheus role (share of requests within the TTFT threshold)"),
        textbox_variable("e2e_objective", "E2E objective", "0.95",
                         "prometheus_slo_e2e_latency_objective of the prometheus role"),
    ]
    # up carries no model_name: join it to the model a target served within
    # the last day (the engine series go stale while a target is down);
    # group() is 1 per (target, model), so the product stays up's 0 or 1.
    model_of_target = ('group by (job, instance, vllm_instance, model_name) '
                       '(last_over_time(vllm:num_requests_running%s[1d]))' % sel)

    def burn(record, objective):
        return [target('%s%s%s / (1 - $%s)' % (record, window, sel, objective), "{{model_name}} %s" % window)
                for window in SLO_WINDOWS]

    rows = [
        row("Availability", [
            stat("Targets up", "vLLM targets Prometheus scrapes successfully.",
                 [target('sum(up%s)' % up, instant=True)], w=4),
            stat("Targets down", "vLLM targets whose scrape fails; any non-zero value is an outage of a replica.",
                 [target('count(up%s == 0) or vector(0)' % up, instant=True)], w=4, thresholds=[(1, "red")]),
            stat("Alerts firing now", "Alerts firing now in Prometheus (all components); details in the Alerts row.",
                 [target('count(ALERTS{alertstate="firing"}) or vector(0)', instant=True)], w=4,
                 thresholds=[(1, "red")]),
            stat("Requests/s", "Completed requests per second over all selected models.",
                 [target('sum(rate(vllm:request_success_total%s[%s]))' % (sel, RATE), instant=True)], unit="reqps", w=4),
            stat("TTFT SLO attainment (3d)", "Share of requests within the TTFT threshold over 3 days; below the objective the budget is spent.",
                 [target('1 - max(sli:vllm_ttft_slo_errors:ratio_rate3d%s)' % sel, instant=True)], unit="percentunit", w=4,
                 decimals=3),
            stat("E2E SLO attainment (3d)", "Share of requests within the end-to-end latency threshold over 3 days; below the objective the budget is spent.",
                 [target('1 - max(sli:vllm_e2e_latency_slo_errors:ratio_rate3d%s)' % sel, instant=True)], unit="percentunit",
                 w=4, decimals=3),
            timeseries("Availability per model", "Share of a model's vLLM targets that are up; below 1 a replica is down and the others carry its load.",
                       [target('avg by (model_name) (\n  up%s\n  * on (job, instance, vllm_instance) group_left (model_name)\n  %s\n)'
                               % (up, model_of_target), "{{model_name}}")],
                       unit="percentunit", minimum=0, maximum=1),
            timeseries("Targets up per server", "Scrape success of every vLLM target; a drop to 0 is a down server.",
                       [target('up%s' % up, "{{instance}}/{{vllm_instance}}")], minimum=0, maximum=1),
        ]),
        row("SLO burn rates", [
            timeseries("TTFT SLO burn rate", "Error-budget burn rate of the TTFT SLO per model and window (1 = budget lasts the 30 days); page above "
                                             "14.4 (1h) or 6 (6h).",
                       burn("sli:vllm_ttft_slo_errors:ratio_rate", "ttft_objective"), minimum=0,
                       thresholds=[(6, "orange"), (14.4, "red")]),
            timeseries("E2E latency SLO burn rate", "Error-budget burn rate of the end-to-end latency SLO per model and window; page above 14.4 (1h) "
                                                    "or 6 (6h).",
                       burn("sli:vllm_e2e_latency_slo_errors:ratio_rate", "e2e_objective"), minimum=0,
                       thresholds=[(6, "orange"), (14.4, "red")]),
            timeseries("TTFT SLO error ratio", "Share of requests slower than the TTFT threshold per model (1h and 1d windows).",
                       [target('sli:vllm_ttft_slo_errors:ratio_rate%s%s' % (window, sel), "{{model_name}} %s" % window)
                        for window in ("1h", "1d")], unit="percentunit", minimum=0),
            timeseries("E2E latency SLO error ratio", "Share of requests slower than the end-to-end threshold per model (1h and 1d windows).",
                       [target('sli:vllm_e2e_latency_slo_errors:ratio_rate%s%s' % (window, sel), "{{model_name}} %s" % window)
                        for window in ("1h", "1d")], unit="percentunit", minimum=0),
        ]),
        row("Saturation", [
            timeseries("Waiting requests per model", "Requests queued per model over all replicas; a lasting queue needs more replicas.",
                       [target('sum by (model_name) (vllm:num_requests_waiting%s)' % sel, "{{model_name}}")], w=8),
            timeseries("KV cache usage per server", "KV cache usage of every server; near 1 with waiting requests is saturation.",
                       [target('max by (model_name, instance, vllm_instance) (vllm:kv_cache_usage_perc%s)' % sel,
                               "{{model_name}} {{instance}}/{{vllm_instance}}")],
                       unit="percentunit", minimum=0, maximum=1, w=8, thresholds=[(0.9, "red")]),
            timeseries("Throughput per model", "Generated tokens per second per model; the load each model carries.",
                       [target('sum by (model_name) (rate(vllm:generation_tokens_total%s[%s]))' % (sel, RATE), "{{model_name}}")],
                       w=8),
        ]),
        row("Alerts", [
            timeseries("Firing alerts", "Firing alerts by name and severity over time; the Alertmanager has the details and silences.",
                       [target('sum by (alertname, severity) (ALERTS{alertstate="firing"})', "{{alertname}} ({{severity}})")],
                       w=24, stack=True),
        ]),
    ]
    return dashboard("llmops-fleet", "Fleet and SLO overview",
                     "Per model availability, latency SLO burn rates (prometheus role recording rules), saturation and firing alerts.",
                     variables, rows,
                     [link_to("llmops-vllm", "vLLM serving (this job and model)",
                              "Latency, throughput and cache of the selected models per server")])


# --------------------------------------------------------------------------
# GPUs (DCGM)
# --------------------------------------------------------------------------
def gpu():
    sel = selector(job="job", instance="instance", gpu="gpu")
    who = "{{instance}} GPU {{gpu}}"
    # GPU_TEMP is reported in MIG mode too (the *_UTIL fields are not).
    anchor = "DCGM_FI_DEV_GPU_TEMP"
    variables = [
        query_variable("job", "Job", 'label_values(%s, job)' % anchor, default="dcgm"),
        query_variable("instance", "Host", 'label_values(%s{job=~"$job"}, instance)' % anchor),
        query_variable("gpu", "GPU", 'label_values(%s{job=~"$job",instance=~"$instance"}, gpu)' % anchor),
    ]

    def per_gpu(metric, extra=""):
        return [target('%s%s%s' % (metric, sel, extra), who)]

    rows = [
        row("Overview", [
            stat("GPUs reporting", "GPUs dcgm-exporter reports for the selection; fewer than installed means a GPU fell off the bus.",
                 [target('count(count by (instance, gpu, UUID) (%s%s))' % (anchor, sel), instant=True)], w=6),
            stat("Mean utilization", "Mean GPU utilization of the selected GPUs.",
                 [target('avg(DCGM_FI_DEV_GPU_UTIL%s %s)' % (sel, NOT_BLANK), instant=True)], unit="percent", w=6),
            stat("Hottest GPU", "Highest GPU temperature of the selection; the alert threshold is 85 C.",
                 [target('max(DCGM_FI_DEV_GPU_TEMP%s %s)' % (sel, NOT_BLANK), instant=True)], unit="celsius", w=6,
                 thresholds=[(80, "yellow"), (85, "red")]),
            stat("Total power draw", "Total power draw of the selected GPUs.",
                 [target('sum(DCGM_FI_DEV_POWER_USAGE%s)' % sel, instant=True)], unit="watt", w=6),
        ]),
        row("Utilization", [
            timeseries("GPU utilization", "Share of time a kernel ran per GPU (DCGM_FI_DEV_GPU_UTIL); idle GPUs under load point to a stuck engine.",
                       per_gpu("DCGM_FI_DEV_GPU_UTIL", " " + NOT_BLANK), unit="percent", minimum=0, maximum=100),
            timeseries("Utilization by vLLM instance", "GPU utilization joined to the vLLM instance and model holding the GPU (llmops:vllm_instance_gpu).",
                       [target('DCGM_FI_DEV_GPU_UTIL%s\n* on (instance, gpu) group_left (vllm_instance, model_name)\nllmops:vllm_instance_gpu'
                               % sel, "{{model_name}} {{instance}}/{{vllm_instance}} GPU {{gpu}}")],
                       unit="percent", minimum=0, maximum=100),
            timeseries("Graphics engine active", "Share of time the graphics engine was active (DCGM_FI_PROF_GR_ENGINE_ACTIVE, works with MIG); empty "
                                                 "unless the field is added to dcgm_exporter_counters_extra.",
                       per_gpu("DCGM_FI_PROF_GR_ENGINE_ACTIVE"), unit="percentunit", minimum=0, maximum=1),
            timeseries("Memory copy utilization", "Share of time the memory controller was busy (DCGM_FI_DEV_MEM_COPY_UTIL); high with low GPU "
                                                  "utilization means memory-bound.",
                       per_gpu("DCGM_FI_DEV_MEM_COPY_UTIL", " " + NOT_BLANK), unit="percent", minimum=0, maximum=100),
        ]),
        row("Memory", [
            timeseries("Framebuffer memory used", "GPU memory in use per GPU; vLLM preallocates gpu_memory_utilization of it at start.",
                       [target('DCGM_FI_DEV_FB_USED%s * 1048576' % sel, who)], unit="bytes", minimum=0),
            timeseries("Framebuffer memory free", "GPU memory left per GPU; near zero another process cannot start on the GPU.",
                       [target('DCGM_FI_DEV_FB_FREE%s * 1048576' % sel, who)], unit="bytes", minimum=0),
        ]),
        row("Thermals, power and clocks", [
            timeseries("Temperature", "GPU die and memory temperature per GPU; above 85 C the GPU throttles.",
                       [target('DCGM_FI_DEV_GPU_TEMP%s %s' % (sel, NOT_BLANK), "die " + who),
                        target('DCGM_FI_DEV_MEMORY_TEMP%s %s' % (sel, NOT_BLANK), "memory " + who)],
                       unit="celsius", thresholds=[(85, "red")], w=8),
            timeseries("Power draw", "Power draw per GPU; flat at the power limit means the GPU is power-throttled.",
                       per_gpu("DCGM_FI_DEV_POWER_USAGE"), unit="watt", w=8),
            timeseries("SM clock", "Streaming multiprocessor clock per GPU; drops under load mean throttling.",
                       [target('DCGM_FI_DEV_SM_CLOCK%s * 1000000' % sel, who)], unit="hertz", w=8),
        ]),
        row("Errors and throttling", [
            timeseries("Last XID error", "Code of the last XID error per GPU (a gauge, 0 = none); a new code is an event to look up in NVIDIA's XID catalogue.",
                       per_gpu("DCGM_FI_DEV_XID_ERRORS", " " + NOT_BLANK), unit="none", w=8),
            timeseries("ECC errors", "Volatile single- and double-bit ECC errors per GPU in the interval; any double-bit error needs attention.",
                       [target('increase(DCGM_FI_DEV_ECC_SBE_VOL_TOTAL%s[%s])' % (sel, RATE), "single-bit " + who),
                        target('increase(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL%s[%s])' % (sel, RATE), "double-bit " + who)],
                       w=8),
            timeseries("Remapped rows", "Rows remapped for correctable and uncorrectable memory errors and remap failures; a failure needs a GPU reset "
                                        "or service.",
                       [target('DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS%s' % sel, "correctable " + who),
                        target('DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS%s' % sel, "uncorrectable " + who),
                        target('DCGM_FI_DEV_ROW_REMAP_FAILURE%s' % sel, "remap failure " + who)], w=8),
            timeseries("Throttling", "Share of time clocks were held down by power or thermal limits (violation counters, in microseconds); sustained "
                                     "values cost throughput.",
                       [target('rate(DCGM_FI_DEV_POWER_VIOLATION%s[%s]) / 1000000' % (sel, RATE), "power " + who),
                        target('rate(DCGM_FI_DEV_THERMAL_VIOLATION%s[%s]) / 1000000' % (sel, RATE), "thermal " + who)],
                       unit="percentunit", minimum=0),
            timeseries("Clock event reasons", "Bitmask of the current clock event (throttle) reasons per GPU (DCGM_FI_DEV_CLOCKS_EVENT_REASONS, "
                                              "in the dcgm_exporter role's default extra counters); 0 when nothing holds the clocks back.",
                       per_gpu("DCGM_FI_DEV_CLOCKS_EVENT_REASONS"), unit="none"),
        ]),
    ]
    return dashboard("llmops-gpu", "GPUs (DCGM)",
                     "NVIDIA GPUs per host from dcgm-exporter: utilization, memory, thermals, power, clocks, XID, ECC and throttling.",
                     variables, rows)


# --------------------------------------------------------------------------
# Hosts (node_exporter)
# --------------------------------------------------------------------------
FSTYPE_EXCLUDE = "tmpfs|ramfs|squashfs|overlay|nsfs|fuse.lxcfs"


def hosts():
    sel = selector(job="job", instance="instance")
    fs = selector(job="job", instance="instance", fstype='!~"%s"' % FSTYPE_EXCLUDE)
    net = selector(job="job", instance="instance", device='!="lo"')
    anchor = "node_uname_info"
    variables = [
        query_variable("job", "Job", 'label_values(%s, job)' % anchor, default="node"),
        query_variable("instance", "Host", 'label_values(%s{job=~"$job"}, instance)' % anchor),
    ]
    cpu_busy = ('1 - avg by (instance) (rate(node_cpu_seconds_total%s[%s]))'
                % (sel[:-1] + ',mode="idle"}', RATE))
    mem_used = '1 - node_memory_MemAvailable_bytes%s / node_memory_MemTotal_bytes%s' % (sel, sel)
    failed = 'node_systemd_unit_state%s == 1' % (sel[:-1] + ',state="failed"}')
    rows = [
        row("Overview", [
            stat("CPU busy (max)", "Busiest host's CPU share (all modes but idle).",
                 [target('max(%s)' % cpu_busy, instant=True)], unit="percentunit", w=5, thresholds=[(0.8, "yellow"), (0.95, "red")]),
            stat("Memory used (max)", "Host with the least available memory, as used share (1 - MemAvailable/MemTotal).",
                 [target('max(%s)' % mem_used, instant=True)], unit="percentunit", w=5, thresholds=[(0.8, "yellow"), (0.9, "red")]),
            stat("Fullest filesystem", "Highest used share of any real filesystem; the alert fires below 10% free.",
                 [target('max(1 - node_filesystem_avail_bytes%s / node_filesystem_size_bytes%s)' % (fs, fs), instant=True)],
                 unit="percentunit", w=5, thresholds=[(0.8, "yellow"), (0.9, "red")]),
            stat("Failed systemd units", "systemd units in state failed on the selected hosts; any is worth a look.",
                 [target('count(%s) or vector(0)' % failed, instant=True)], w=5, thresholds=[(1, "red")]),
            stat("Hosts not in sync", "Hosts whose kernel reports the clock as not synchronised.",
                 [target('count(node_timex_sync_status%s == 0) or vector(0)' % sel, instant=True)], w=4, thresholds=[(1, "red")]),
        ]),
        row("CPU and memory", [
            timeseries("CPU usage by mode", "CPU time share per host and mode (idle excluded); high iowait points to the disks, steal to the hypervisor.",
                       [target('sum by (instance, mode) (rate(node_cpu_seconds_total%s[%s]))\n/ on (instance) group_left\n'
                               'count by (instance) (node_cpu_seconds_total%s)'
                               % (sel[:-1] + ',mode!="idle"}', RATE, sel[:-1] + ',mode="idle"}'), "{{instance}} {{mode}}")],
                       unit="percentunit", stack=True, minimum=0),
            timeseries("Load per CPU", "1-minute load average divided by the CPU count; above 1 processes wait for a CPU.",
                       [target('node_load1%s\n/ on (instance)\ncount by (instance) (node_cpu_seconds_total%s)'
                               % (sel, sel[:-1] + ',mode="idle"}'), "{{instance}}")], minimum=0),
            timeseries("Memory used", "Used memory share per host (1 - MemAvailable/MemTotal); near 1 the OOM killer ends processes.",
                       [target(mem_used, "{{instance}}")], unit="percentunit", minimum=0, maximum=1, thresholds=[(0.9, "red")]),
            timeseries("OOM kills", "Processes killed by the kernel's OOM killer per host in the interval; a killed vLLM or exporter restarts.",
                       [target('increase(node_vmstat_oom_kill%s[%s])' % (sel, RATE), "{{instance}}")], minimum=0),
        ]),
        row("Disk and network", [
            timeseries("Filesystem free", "Free share per host and mount point; the alert fires below 10% (model caches grow).",
                       [target('node_filesystem_avail_bytes%s / node_filesystem_size_bytes%s' % (fs, fs), "{{instance}} {{mountpoint}}")],
                       unit="percentunit", minimum=0, maximum=1, thresholds=[(0.1, "red")]),
            timeseries("Disk throughput", "Bytes read and written per second per host and disk; model loads show as read bursts.",
                       [target('rate(node_disk_read_bytes_total%s[%s])' % (sel, RATE), "read {{instance}} {{device}}"),
                        target('rate(node_disk_written_bytes_total%s[%s])' % (sel, RATE), "written {{instance}} {{device}}")],
                       unit="Bps"),
            timeseries("Network traffic", "Bytes received and transmitted per second per host and interface (loopback excluded).",
                       [target('rate(node_network_receive_bytes_total%s[%s])' % (net, RATE), "rx {{instance}} {{device}}"),
                        target('rate(node_network_transmit_bytes_total%s[%s])' % (net, RATE), "tx {{instance}} {{device}}")],
                       unit="Bps", w=24),
        ]),
        row("systemd and time", [
            timeseries("Failed systemd units", "systemd units in state failed per host (node_exporter systemd collector; 0 when none), and "
                                               "each failed unit by name: a unit to restart or fix.",
                       [target('sum by (instance) (node_systemd_unit_state%s)' % (sel[:-1] + ',state="failed"}'), "{{instance}} failed units"),
                        target(failed, "{{instance}} {{name}}", ref="B")], w=8),
            timeseries("Clock synchronised", "Kernel clock sync status per host (1 = synchronised by chrony/ntp); 0 breaks TLS and alert timing.",
                       [target('node_timex_sync_status%s' % sel, "{{instance}}")], minimum=0, maximum=1, w=8),
            timeseries("Clock offset", "Kernel NTP offset per host; the alert fires above 50 ms.",
                       [target('node_timex_offset_seconds%s' % sel, "{{instance}}")], unit="s", w=8),
        ]),
    ]
    return dashboard("llmops-hosts", "Hosts",
                     "Every host from node_exporter: CPU, memory, disks, network, failed systemd units and clock sync.",
                     variables, rows)


# --------------------------------------------------------------------------
# Gateway (LiteLLM)
# --------------------------------------------------------------------------
def litellm():
    # LiteLLM 1.108.7 labels: proxy-level series name the model a client
    # asked for (requested_model); deployment series the model group
    # (model_group) and deployment (model_id, api_base, litellm_model_name);
    # litellm_deployment_state has litellm_model_name but no model_group.
    base = dict(job="job", instance="instance")
    # Prometheus' own scrapes of /metrics/ are counted as proxy requests too
    # (route="/metrics/", requested_model=""): left out of the traffic.
    proxy = selector(requested_model="model", route='!~"/metrics/?"', **base)
    group_sel = selector(model_group="model", **base)
    deploy_name = selector(litellm_model_name="model", **base)
    anchor = "litellm_deployment_total_requests_total"
    variables = [
        query_variable("job", "Job", 'label_values(litellm_proxy_total_requests_metric_total, job)', default="litellm"),
        query_variable("instance", "Gateway", 'label_values(litellm_proxy_total_requests_metric_total{job=~"$job"}, instance)'),
        query_variable("model", "Model group", 'label_values(%s{job=~"$job",instance=~"$instance"}, model_group)' % anchor),
    ]
    state_mappings = [{"type": "value", "options": {
        "0": {"text": "healthy", "color": "green", "index": 0},
        "1": {"text": "partial outage", "color": "orange", "index": 1},
        "2": {"text": "outage", "color": "red", "index": 2},
    }}]
    rows = [
        row("Overview", [
            stat("Requests/s", "Requests per second the gateways answer (all routes and statuses).",
                 [target('sum(rate(litellm_proxy_total_requests_metric_total%s[%s]))' % (proxy, RATE), instant=True)],
                 unit="reqps", w=6),
            stat("Failed requests/s", "Requests per second the gateways answered with an error.",
                 [target('sum(rate(litellm_proxy_failed_requests_metric_total%s[%s]))' % (proxy, RATE), instant=True)],
                 unit="reqps", w=6, thresholds=[(0.01, "red")]),
            stat("In-flight requests", "Requests the gateways are working on now.",
                 [target('sum(litellm_in_flight_requests%s)' % selector(**base), instant=True)], w=6),
            stat("Deployments in outage", "Deployments LiteLLM has cooled down (state 2) and no series reports healthy.",
                 [target('count(max by (model_id) (litellm_deployment_state%s) == 2 unless on (model_id) '
                         '(min by (model_id) (litellm_deployment_state%s) == 0)) or vector(0)' % (deploy_name, deploy_name),
                         instant=True)], w=6, thresholds=[(1, "red")]),
        ]),
        row("Requests and failures", [
            timeseries("Requests by model and status", "Requests per second per requested model and HTTP status; the traffic clients send through the gateway.",
                       [target('sum by (requested_model, status_code) (rate(litellm_proxy_total_requests_metric_total%s[%s]))'
                               % (proxy, RATE), "{{requested_model}} {{status_code}}")], unit="reqps"),
            timeseries("Failed requests by exception", "Failed requests per second per requested model, exception class and status; a 400 "
                                                       "ProxyModelNotFoundError is a client asking for an unknown model.",
                       [target('sum by (requested_model, exception_class, exception_status) (rate(litellm_proxy_failed_requests_metric_total%s[%s]))'
                               % (proxy, RATE), "{{requested_model}} {{exception_class}} {{exception_status}}")], unit="reqps"),
            timeseries("Calls per deployment", "Calls per second the gateway made to each deployment (model group and api_base); uneven lines mean "
                                               "routing skew or a cooled-down deployment.",
                       [target('sum by (model_group, api_base) (rate(litellm_deployment_total_requests_total%s[%s]))'
                               % (group_sel, RATE), "{{model_group}} {{api_base}}")], unit="reqps"),
            timeseries("Deployment failure ratio", "Share of failed calls per model group and deployment; the LitellmModelFailureRatio alert watches "
                                                   "it per model.",
                       [target('sum by (model_group, api_base) (rate(litellm_deployment_failure_responses_total%s[%s]))\n/\n'
                               'sum by (model_group, api_base) (rate(litellm_deployment_total_requests_total%s[%s]))'
                               % (group_sel, RATE, group_sel, RATE), "{{model_group}} {{api_base}}")],
                       unit="percentunit", minimum=0),
        ]),
        row("Latency", [
            timeseries("Request latency", "End-to-end latency at the gateway per model group (arrival to end of response), quantiles and mean.",
                       latency("litellm_request_total_latency_metric", group_sel, ["model_group"], "{{model_group}}"), unit="s"),
            timeseries("LLM API latency per deployment", "Time the upstream vLLM deployment took per model group and deployment (model_id), p50/p95/p99.",
                       [target('histogram_quantile(%s, sum by (le, model_group, model_id) (rate(litellm_llm_api_latency_metric_bucket%s[%s])))'
                               % (q, group_sel, RATE), "p%d {{model_group}} {{model_id}}" % round(q * 100)) for q in (0.5, 0.95, 0.99)],
                       unit="s"),
            timeseries("Latency per output token", "Deployment latency per generated token per deployment (api_base), p50 and p95; compare with vLLM's "
                                                   "inter-token latency.",
                       [target('histogram_quantile(%s, sum by (le, model_group, api_base) (rate(litellm_deployment_latency_per_output_token_bucket%s[%s])))'
                               % (q, group_sel, RATE), "p%d {{model_group}} {{api_base}}" % round(q * 100)) for q in (0.5, 0.95)],
                       unit="s"),
            timeseries("Gateway overhead and queue time", "Time LiteLLM itself added (overhead, p95 per deployment) and requests waited in its queue "
                                                          "(p95 per model).",
                       [target('histogram_quantile(0.95, sum by (le, model_group, api_base) (rate(litellm_overhead_latency_metric_bucket%s[%s])))'
                               % (group_sel, RATE), "overhead p95 {{model_group}} {{api_base}}"),
                        target('histogram_quantile(0.95, sum by (le, model) (rate(litellm_request_queue_time_seconds_bucket%s[%s])))'
                               % (selector(model="model", **base), RATE), "queue p95 {{model}}")],
                       unit="s"),
        ]),
        row("Deployments and tokens", [
            timeseries("Deployment state", "LiteLLM's state per deployment: 0 healthy, 1 partial outage, 2 outage (cooled down, out of the rotation).",
                       [target('max by (litellm_model_name, api_base) (litellm_deployment_state%s)' % deploy_name,
                               "{{litellm_model_name}} {{api_base}}")], minimum=0, maximum=2, mappings=state_mappings,
                       thresholds=[(1, "orange"), (2, "red")]),
            timeseries("Cooldowns and fallbacks", "Deployment cooldowns and successful or failed fallbacks per gateway in the interval; failed "
                                                  "fallbacks reached the client.",
                       [target('sum by (instance) (increase(litellm_deployment_cooled_down_total%s[%s]))' % (selector(**base), RATE),
                               "cooldowns {{instance}}"),
                        target('sum by (instance) (increase(litellm_deployment_successful_fallbacks_total%s[%s]))' % (selector(**base), RATE),
                               "fallbacks ok {{instance}}"),
                        target('sum by (instance) (increase(litellm_deployment_failed_fallbacks_total%s[%s]))' % (selector(**base), RATE),
                               "fallbacks failed {{instance}}")]),
            timeseries("Tokens per model", "Input and output tokens per second per requested model through the gateway.",
                       [target('sum by (requested_model) (rate(litellm_input_tokens_metric_total%s[%s]))' % (proxy, RATE),
                               "input {{requested_model}}"),
                        target('sum by (requested_model) (rate(litellm_output_tokens_metric_total%s[%s]))' % (proxy, RATE),
                               "output {{requested_model}}")], w=24),
        ]),
    ]
    return dashboard("llmops-litellm", "Gateway (LiteLLM)",
                     "The LiteLLM gateways: requests, failures, latency per model and deployment, deployment state.",
                     variables, rows)


DASHBOARDS = {
    "vllm.json": vllm,
    "fleet.json": fleet,
    "gpu.json": gpu,
    "hosts.json": hosts,
    "litellm.json": litellm,
}


def render(build):
    return json.dumps(build(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a checked-in file differs from the generator's output")
    parser.add_argument("--out", default=HERE, help="directory of the JSON files (default: beside this script)")
    args = parser.parse_args(argv)
    stale = []
    for name, build in DASHBOARDS.items():
        path = os.path.join(args.out, name)
        text = render(build)
        if args.check:
            try:
                with open(path, encoding="utf-8") as handle:
                    current = handle.read()
            except OSError:
                current = None
            if current != text:
                stale.append(path)
        else:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
    if stale:
        for path in stale:
            print("%s differs from the generator's output; run python3 dashboards/build.py" % path, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
