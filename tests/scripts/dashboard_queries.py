# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run every query of Grafana dashboards against a real Prometheus.

For each dashboard JSON (Grafana 12 model; an API export {"dashboard": ...}
works too) the checker resolves the template variables the way Grafana does,
in dependency order, then runs every target of every panel (panels inside
rows and collapsed rows, hidden targets too; repeated panels once per value)
as /api/v1/query_range over [now - --range, now] with Grafana's step, and
fails on:

- an HTTP or PromQL error (Prometheus' error text is printed);
- a query that returns no series (the reason names the metrics of the
  expression that Prometheus does not know, from /api/v1/label/__name__/values);
- a query variable that resolves to no value.

Variables: datasource (ignored; substitutes its current value), constant,
textbox, custom (comma-separated options, "text : value" pairs), interval
(its current value; auto: range / auto_count, at least auto_min), query
(label_values(selector, label), label_values(label), label_names([selector]),
metrics(regex), query_result(expr), as a string or {"query": ...}; the
variable's regex /re/flags with a capture group or named groups text/value
and its sort). Variables with multi or includeAll resolve to All: allValue
when set (raw, as Grafana), else every value; any other variable to its
current value when it is one of its options, else its first option.
Substitution: $var, ${var}, [[var]], ${var:FORMAT} with FORMAT regex, pipe,
csv, raw, glob, json, doublequote, singlequote, text, queryparam; without a
format a multi/All variable is the Prometheus data source's regex-escaped
alternation (a|b) and a single value is escaped for a PromQL string.

Macros (Grafana's Prometheus backend): $__interval is roundInterval(range /
maxDataPoints) (panel maxDataPoints, default 1000) but at least the panel's
min interval, else the data source's scrape interval (--scrape-interval); a
target's own interval (min step) overrides it; the step is also at least
range / 11000. $__rate_interval = max($__interval + scrape, 4 * scrape).
Also $__interval_ms, $__rate_interval_ms, $__range (seconds, "600s"),
$__range_s, $__range_ms, $__from, $__to. A panel's timeFrom / timeShift
change its range as in Grafana.

Allowlist (dashboard_queries_allowlist.json beside this script, more with
--allowlist): a JSON object whose keys are "<dashboard uid>/<panel title>",
"<dashboard uid>/<panel title>/<refId>" or "<dashboard uid>/$<variable>",
fnmatch patterns allowed, and whose values are the reason; keys starting
with "_" are comments. It covers empty results only (errors always fail):
allowlisted empties print as "allowed: reason" and are listed at the end.
An entry whose queries all returned data is reported as stale (a warning).

--wait SECONDS re-runs the dashboards with failures until they pass or the
deadline passes (rate() needs two scrapes of a fresh target).

--results FILE writes JSON: per dashboard its variables and, per panel and
target, the resolved expression, start/end/step, status, reason and the
result matrix (labels and [time, "value"] pairs, the first --max-series
series), for rendering previews.

Standard library only: it runs with python3 on a bare Debian 12 host.

Usage: python3 dashboard_queries.py [--url URL] [--allowlist FILE] [--results FILE]
       [--scrape-interval 15s] [--range 10m] [--wait 0] DASHBOARD.json ...
"""

import argparse
import base64
import fnmatch
import json
import math
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SAFE_RESOLUTION = 11000
DEFAULT_MAX_DATA_POINTS = 1000
ALL_VALUE = "$__all"

# --------------------------------------------------------------------------
# Durations (milliseconds), Grafana style
# --------------------------------------------------------------------------
_UNITS_MS = {"ms": 1, "s": 1000, "m": 60000, "h": 3600000, "d": 86400000, "w": 604800000, "y": 31536000000}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|[smhdwy])")


def parse_duration(text):
    """Milliseconds of "15s", "1m30s", ">10s" (Grafana's old min-interval form), "500ms"."""
    text = str(text).strip().lstrip(">").strip()
    if not text:
        raise ValueError("empty duration")
    pos = 0
    total = 0.0
    while pos < len(text):
        match = _DURATION_PART.match(text, pos)
        if not match:
            raise ValueError("bad duration %r" % text)
        total += float(match.group(1)) * _UNITS_MS[match.group(2)]
        pos = match.end()
    return int(round(total))


def format_interval(ms):
    """Grafana's gtime.FormatInterval: the largest whole unit, truncated ("1m" for 90s)."""
    for unit in ("y", "d", "h", "m", "s", "ms"):
        if ms >= _UNITS_MS[unit]:
            return "%d%s" % (ms // _UNITS_MS[unit], unit)
    return "1ms"


def format_exact(ms):
    """An exact duration ("1m15s"), as Go's Duration.String() without the zero parts."""
    if ms <= 0:
        return "0s"
    parts = []
    for unit in ("h", "m", "s", "ms"):
        count, ms = divmod(ms, _UNITS_MS[unit])
        if count:
            parts.append("%d%s" % (count, unit))
    return "".join(parts)


_ROUND_STEPS = [
    (15, 10), (35, 20), (75, 50), (150, 100), (350, 200), (750, 500), (1500, 1000), (3500, 2000),
    (7500, 5000), (12500, 10000), (17500, 15000), (25000, 20000), (45000, 30000), (90000, 60000),
    (210000, 120000), (450000, 300000), (750000, 600000), (1050000, 900000), (1500000, 1200000),
    (2700000, 1800000), (5400000, 3600000), (9000000, 7200000), (16200000, 10800000),
    (32400000, 21600000), (86400000, 43200000), (604800000, 86400000), (1814400000, 604800000),
    (3628800000, 2592000000),
]


def round_interval(ms):
    """Grafana's roundInterval: the nearest 'nice' interval."""
    for limit, value in _ROUND_STEPS:
        if ms < limit:
            return value
    return 31536000000


class TimeContext:
    """The time range, step and macros of one query, as Grafana computes them."""

    def __init__(self, end_ms, range_ms, scrape_ms, max_data_points=None, min_interval=None, target_interval=None):
        self.end = end_ms
        self.range = range_ms
        self.start = end_ms - range_ms
        self.scrape = scrape_ms
        resolution = int(max_data_points or DEFAULT_MAX_DATA_POINTS)
        low_limit = parse_duration(min_interval) if min_interval else scrape_ms
        calculated = range_ms / resolution
        # Frontend: request interval (what $__rate_interval starts from).
        self.interval = max(round_interval(calculated), low_limit)
        # Backend: the target's min step overrides the request interval.
        rate_target = target_interval in ("$__rate_interval", "${__rate_interval}")
        variable_step = target_interval in ("$__interval", "${__interval}") or rate_target
        minimum = parse_duration(target_interval) if target_interval and not variable_step else self.interval
        step = minimum if calculated < minimum else round_interval(calculated)
        step = max(step, round_interval(range_ms / SAFE_RESOLUTION))
        if rate_target:
            step = max(step + scrape_ms, 4 * scrape_ms)
            self.rate_interval = step
        else:
            requested = scrape_ms
            if target_interval and not variable_step:
                requested = parse_duration(target_interval)
            elif target_interval:
                requested = step
            self.rate_interval = max(self.interval + requested, 4 * requested)
        self.step = step

    def macros(self):
        range_s = int(round(self.range / 1000.0))
        return {
            "__interval": format_interval(self.step),
            "__interval_ms": str(self.step),
            "__rate_interval": format_exact(self.rate_interval),
            "__rate_interval_ms": str(self.rate_interval),
            "__range": "%ds" % range_s,
            "__range_s": str(range_s),
            "__range_ms": str(self.range),
            "__from": str(self.start),
            "__to": str(self.end),
        }


# --------------------------------------------------------------------------
# Variables and substitution
# --------------------------------------------------------------------------
VARIABLE_RE = re.compile(
    r"\$(\w+)|\[\[\s*([\w.]+)(?::(\w+))?\s*\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}")


class Variable:
    """A resolved template variable: option values (and texts) and how it is selected."""

    def __init__(self, name, values, texts=None, multi=False, include_all=False, all_value=None, is_all=False):
        self.name = name
        self.values = list(values)
        self.texts = list(texts) if texts is not None else list(self.values)
        self.multi = multi
        self.include_all = include_all
        self.all_value = all_value
        self.is_all = is_all

    def selected(self):
        return self.values


def prometheus_regular_escape(value):
    return value.replace("\\", "\\\\").replace("'", "\\\\'")


def prometheus_regex_escape(value):
    value = value.replace("\\", "\\\\\\\\")
    return re.sub(r"[$^*{}\[\]'+?.()|]", lambda m: "\\\\" + m.group(0), value)


def regex_escape(value):
    """kbn.regexEscape (the ${var:regex} format)."""
    return re.sub(r"[\\^$*+?.()|\[\]{}/]", lambda m: "\\" + m.group(0), value)


def _alternation(values):
    return values[0] if len(values) == 1 else "(" + "|".join(values) + ")"


def format_value(variable, fmt):
    """The text Grafana's Prometheus data source puts in place of a variable."""
    values = variable.selected()
    if fmt is None:
        if not variable.multi and not variable.include_all:
            return prometheus_regular_escape(values[0] if values else "")
        return _alternation([prometheus_regex_escape(v) for v in values]) if values else ""
    if fmt == "regex":
        return _alternation([regex_escape(v) for v in values]) if values else ""
    if fmt == "pipe":
        return "|".join(values)
    if fmt in ("csv", "raw"):
        return ",".join(values)
    if fmt == "glob":
        return values[0] if len(values) == 1 else "{" + ",".join(values) + "}"
    if fmt == "json":
        return json.dumps(values if variable.multi or variable.include_all else (values[0] if values else ""))
    if fmt == "doublequote":
        return ",".join('"%s"' % v.replace('"', '\\"') for v in values)
    if fmt == "singlequote":
        return ",".join("'%s'" % v.replace("'", "\\'") for v in values)
    if fmt == "text":
        if variable.is_all:
            return "All"
        return " + ".join(variable.texts[variable.values.index(v)] if v in variable.values else v for v in values)
    if fmt == "queryparam":
        return "&".join("var-%s=%s" % (variable.name, urllib.parse.quote(v, safe="")) for v in values)
    if fmt == "percentencode":
        return ",".join(urllib.parse.quote(v, safe="") for v in values)
    return ",".join(values)


def substitute(text, variables, macros=None, depth=0, default_format=None):
    """Replace variables (a dict name -> Variable) and macros (name -> text) in text.

    default_format applies to variables without an explicit format (None: the
    Prometheus data source's escaping; "raw" for titles).
    """
    macros = macros or {}

    def replace(match):
        name = match.group(1) or match.group(2) or match.group(4)
        fmt = match.group(3) or match.group(6) or default_format
        if name in macros:
            return macros[name]
        variable = variables.get(name)
        if variable is None:
            return match.group(0)
        if variable.is_all and variable.all_value is not None and fmt not in ("text", "percentencode"):
            return substitute(variable.all_value, variables, macros, depth + 1) if depth < 10 else variable.all_value
        return format_value(variable, fmt)

    return VARIABLE_RE.sub(replace, text)


def referenced_names(text):
    names = set()
    for match in VARIABLE_RE.finditer(text or ""):
        names.add(match.group(1) or match.group(2) or match.group(4))
    return names


def js_regex(text):
    """A Python regex from Grafana's stringToJsRegex ("/re/flags", else ^re$)."""
    if not text.startswith("/"):
        return re.compile("^" + text + "$"), False
    match = re.match(r"^/(.*?)/([gimsuy]*)$", text, re.S)
    if not match:
        raise ValueError("bad regex %r" % text)
    pattern = re.sub(r"\(\?<([A-Za-z_]\w*)>", r"(?P<\1>", match.group(1))
    flags = 0
    if "i" in match.group(2):
        flags |= re.I
    if "m" in match.group(2):
        flags |= re.M
    if "s" in match.group(2):
        flags |= re.S
    return re.compile(pattern, flags), "g" in match.group(2)


def apply_regex(options, regex_text):
    """Grafana's metricNamesToVariableValues: [(text, value)] filtered and captured by the regex."""
    if not regex_text:
        return options
    regex, global_flag = js_regex(regex_text)
    result = []
    for text, value in options:
        matches = list(regex.finditer(value)) if global_flag else [m for m in [regex.search(value)] if m]
        if not matches:
            continue
        named = [m for m in matches if m.groupdict().get("value") or m.groupdict().get("text")]
        first = next((m for m in matches if m.re.groups >= 1), None)
        if named:
            groups = named[0].groupdict()
            value = groups.get("value") or groups.get("text")
            text = groups.get("text") or groups.get("value")
        elif len(matches) > 1 and first:
            result.extend((m.group(1), m.group(1)) for m in matches if m.group(1) is not None)
            continue
        elif first is not None and first.group(1) is not None:
            text = value = first.group(1)
        result.append((text, value))
    return result


def _numeric_key(option):
    match = re.search(r"-?\d+(?:\.\d+)?", option[0] or "")
    return float(match.group(0)) if match else -math.inf


def sort_options(options, sort):
    sort = int(sort or 0)
    if sort in (1, 2):
        return sorted(options, key=lambda o: o[0], reverse=sort == 2)
    if sort in (3, 4):
        return sorted(options, key=_numeric_key, reverse=sort == 4)
    if sort in (5, 6, 7, 8):
        return sorted(options, key=lambda o: o[0].lower(), reverse=sort in (6, 8))
    return options


def unique(options):
    seen = set()
    result = []
    for text, value in options:
        if value not in seen:
            seen.add(value)
            result.append((text, value))
    return result


def custom_options(query):
    options = []
    for part in re.findall(r"(?:\\,|[^,])+", query or ""):
        part = part.replace("\\,", ",")
        pair = re.match(r"^\s*(.+)\s:\s(.+)$", part)
        if pair:
            options.append((pair.group(1).strip(), pair.group(2).strip()))
        else:
            options.append((part.strip(), part.strip()))
    return options


def variable_query(spec):
    """The query text of a query variable (string or object form)."""
    query = spec.get("query")
    if isinstance(query, dict):
        if query.get("query"):
            return query["query"]
        if query.get("qryType") == 1 and query.get("label"):
            selector = query.get("metric") or ""
            filters = ",".join('%s%s"%s"' % (f["label"], f.get("op", "="), f["value"])
                               for f in query.get("labelFilters") or [])
            if filters:
                selector += "{%s}" % filters
            return "label_values(%s%s)" % (selector + ", " if selector else "", query["label"])
        return spec.get("definition") or ""
    return query or spec.get("definition") or ""


def current_values(spec):
    current = spec.get("current") or {}
    value = current.get("value")
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


# --------------------------------------------------------------------------
# Prometheus
# --------------------------------------------------------------------------
class PrometheusError(Exception):
    """An HTTP, transport or API error, with Prometheus' error text."""

    def __init__(self, message, error_type=None):
        super().__init__(message)
        self.error_type = error_type


class Prometheus:
    def __init__(self, url, timeout=30, headers=None):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.headers = headers or {}
        self._names = None

    def get(self, path, params):
        full = self.url + path + "?" + urllib.parse.urlencode(params, doseq=True)
        request = urllib.request.Request(full, headers=self.headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                body = json.loads(raw)
            except ValueError:
                raise PrometheusError("HTTP %d: %s" % (error.code, raw[:300].decode("utf-8", "replace").strip())) from None
            raise PrometheusError("%s: %s" % (body.get("errorType", "HTTP %d" % error.code), body.get("error", body)),
                                  body.get("errorType")) from None
        except (urllib.error.URLError, OSError) as error:
            raise PrometheusError("cannot read %s: %s" % (self.url + path, error), "transport") from None
        try:
            body = json.loads(raw)
        except ValueError:
            raise PrometheusError("not JSON from %s: %r" % (path, raw[:200]), "transport") from None
        if body.get("status") != "success":
            raise PrometheusError("%s: %s" % (body.get("errorType"), body.get("error", body)), body.get("errorType"))
        return body["data"]

    def metric_names(self):
        if self._names is None:
            self._names = set(self.get("/api/v1/label/__name__/values", {}))
        return self._names

    def find(self, query, context):
        """[(text, value)] of a Prometheus variable query (Grafana's metricFindQuery)."""
        window = {"start": "%.3f" % (context.start / 1000.0), "end": "%.3f" % (context.end / 1000.0)}
        query = query.strip()
        match = re.match(r"^label_names\(\s*(.*?)\s*\)\s*$", query, re.S)
        if match:
            params = dict(window)
            if match.group(1):
                params["match[]"] = match.group(1)
            return [(v, v) for v in self.get("/api/v1/labels", params)]
        match = re.match(r"^label_values\((?:(.+),\s*)?([a-zA-Z_$][\w$]*)\s*\)\s*$", query, re.S)
        if match:
            params = dict(window)
            if match.group(1):
                params["match[]"] = match.group(1).strip()
            path = "/api/v1/label/%s/values" % urllib.parse.quote(match.group(2), safe="")
            return [(v, v) for v in self.get(path, params)]
        match = re.match(r"^metrics\((.+)\)\s*$", query, re.S)
        if match:
            regex = re.compile(match.group(1).strip())
            return [(v, v) for v in sorted(self.metric_names_fresh(window)) if regex.search(v)]
        match = re.match(r"^query_result\((.+)\)\s*$", query, re.S)
        if match:
            data = self.get("/api/v1/query", {"query": match.group(1), "time": window["end"]})
            if data["resultType"] in ("scalar", "string"):
                text = str(data["result"][1]) if data["result"] else ""
                return [(text, text)]
            options = []
            for item in data["result"]:
                metric = dict(item["metric"])
                text = metric.pop("__name__", "")
                text += "{" + ",".join('%s="%s"' % (k, v) for k, v in metric.items()) + "}"
                text += " %s %d" % (item["value"][1], int(float(item["value"][0]) * 1000))
                options.append((text, text))
            return options
        # Anything else is a series query in Grafana: the names of the series.
        data = self.get("/api/v1/series", dict(window, **{"match[]": query}))
        options = []
        for labels in data:
            labels = dict(labels)
            text = labels.pop("__name__", "") + "{" + ",".join('%s="%s"' % kv for kv in labels.items()) + "}"
            options.append((text, text))
        return options

    def metric_names_fresh(self, window):
        return self.get("/api/v1/label/__name__/values", window)

    def query_range(self, expr, context):
        return self.get("/api/v1/query_range", {
            "query": expr, "start": "%.3f" % (context.start / 1000.0), "end": "%.3f" % (context.end / 1000.0),
            "step": "%gs" % (context.step / 1000.0),
        })


# --------------------------------------------------------------------------
# Metric names of an expression
# --------------------------------------------------------------------------
_KEYWORDS = frozenset([
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or", "unless",
    "atan2", "inf", "nan", "start", "end",
])


def metric_names(expr):
    """Metric names an expression reads: rule_series' parser when beside this script, else a regex scan."""
    try:
        sys.path.insert(0, HERE)
        import rule_series  # pylint: disable=import-outside-toplevel
        return sorted({s.name for s in rule_series.extract(expr)[0] if s.name})
    except Exception:  # pylint: disable=broad-except
        return regex_metric_names(expr)
    finally:
        if sys.path and sys.path[0] == HERE:
            sys.path.pop(0)


def regex_metric_names(expr):
    names = set(re.findall(r"__name__\s*=\s*\"([^\"]+)\"", expr))
    text = re.sub(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|`[^`]*`", '""', expr)
    text = re.sub(r"#[^\n]*", " ", text)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    for match in re.finditer(r"(?<![\w.:])([A-Za-z_:][\w:]*)(?![\w:]|\s*\()", text):
        name = match.group(1)
        if name.lower() not in _KEYWORDS and not re.fullmatch(r"\d", name[0]):
            names.add(name)
    return sorted(names)


# --------------------------------------------------------------------------
# Allowlist
# --------------------------------------------------------------------------
class Allowlist:
    def __init__(self, entries):
        self.entries = entries  # [{"pattern", "reason", "source", "empty": [], "data": []}]

    @classmethod
    def load(cls, paths):
        entries = []
        for path in paths:
            with open(path, encoding="utf-8") as handle:
                document = json.load(handle)
            if not isinstance(document, dict):
                raise SystemExit("%s: the allowlist is a JSON object {\"uid/panel[/refId]\": \"reason\"}" % path)
            for pattern, reason in document.items():
                if pattern.startswith("_"):
                    continue
                if not isinstance(reason, str) or not reason.strip():
                    raise SystemExit("%s: %r needs a reason" % (path, pattern))
                entries.append({"pattern": pattern, "reason": reason, "source": os.path.basename(path),
                                "empty": [], "data": []})
        return cls(entries)

    def match(self, keys):
        for entry in self.entries:
            if any(fnmatch.fnmatchcase(key, entry["pattern"]) for key in keys):
                return entry
        return None


# --------------------------------------------------------------------------
# Dashboards
# --------------------------------------------------------------------------
def load_dashboard(path):
    with open(path, encoding="utf-8") as handle:
        document = json.load(handle)
    if "dashboard" in document and "panels" not in document:
        document = document["dashboard"]
    return document


def iter_panels(container):
    """Every panel with targets, rows' nested panels included (old 'rows' layout too)."""
    for panel in container.get("panels") or []:
        if panel.get("type") == "row" or panel.get("panels"):
            yield from iter_panels(panel)
            if panel.get("targets"):
                yield panel
        else:
            yield panel
    for row in container.get("rows") or []:
        yield from iter_panels(row)


def is_prometheus_target(target, panel):
    datasource = target.get("datasource") or panel.get("datasource")
    if isinstance(datasource, dict) and datasource.get("type"):
        return datasource["type"] == "prometheus"
    if isinstance(datasource, str) and datasource.startswith("-- "):
        return False
    return "expr" in target


class Checker:
    def __init__(self, prometheus, allowlist, range_ms, scrape_ms, max_series=12, max_repeat=10):
        self.prometheus = prometheus
        self.allowlist = allowlist
        self.range_ms = range_ms
        self.scrape_ms = scrape_ms
        self.max_series = max_series
        self.max_repeat = max_repeat

    # -- variables ----------------------------------------------------------
    def resolve_variables(self, dashboard, uid, end_ms):
        """(dict name -> Variable, [row dicts of variable failures], {name: info for the results})."""
        specs = [v for v in (dashboard.get("templating") or {}).get("list") or [] if v.get("name")]
        names = {spec["name"] for spec in specs}
        context = TimeContext(end_ms, self.range_ms, self.scrape_ms)
        variables = {}
        rows = []
        info = {}
        pending = list(specs)
        while pending:
            progress = False
            for spec in list(pending):
                deps = (referenced_names(variable_query(spec)) | referenced_names(spec.get("regex") or "")) & names
                deps.discard(spec["name"])
                if not deps <= set(variables):
                    continue
                pending.remove(spec)
                progress = True
                variable, row = self.resolve_variable(spec, variables, context, uid)
                variables[spec["name"]] = variable
                info[spec["name"]] = {"type": spec.get("type"), "values": variable.values, "all": variable.is_all,
                                      "text": substitute("$" + spec["name"], variables)}
                if row:
                    rows.append(row)
            if not progress:
                for spec in pending:
                    rows.append(self.variable_row(uid, spec, "fail", "cyclic dependency between variables "
                                                  + ", ".join(sorted(s["name"] for s in pending))))
                    variables[spec["name"]] = Variable(spec["name"], [])
                break
        return variables, rows, info

    def variable_row(self, uid, spec, status, reason, query=None):
        return {"uid": uid, "panel": "$" + spec["name"], "refId": "-", "status": status, "reason": reason,
                "expr": query, "key": "%s/$%s" % (uid, spec["name"]), "series_count": 0}

    def resolve_variable(self, spec, variables, context, uid):
        kind = spec.get("type")
        name = spec["name"]
        multi = bool(spec.get("multi"))
        include_all = bool(spec.get("includeAll"))
        all_value = spec.get("allValue") or None
        row = None
        if kind in ("datasource", "adhoc", "groupby"):
            values = current_values(spec)[:1] or [""]
            return Variable(name, values), None
        if kind in ("constant", "textbox"):
            values = current_values(spec) or [str(spec.get("query") or "")]
            return Variable(name, values[:1]), None
        if kind == "interval":
            values = current_values(spec) or [o.strip() for o in str(spec.get("query") or "").split(",")][:1]
            value = values[0] if values else "1m"
            if spec.get("auto") and (value.startswith("$__auto") or value == "auto"):
                auto_ms = round_interval(self.range_ms / int(spec.get("auto_count") or 30))
                value = format_interval(max(auto_ms, parse_duration(spec.get("auto_min") or "10s")))
            return Variable(name, [value]), None
        if kind == "custom":
            options = custom_options(spec.get("query"))
        elif kind == "query":
            query = substitute(variable_query(spec), variables, TimeContext(
                context.end, self.range_ms, self.scrape_ms).macros())
            try:
                options = self.prometheus.find(query, context)
                regex = substitute(spec.get("regex") or "", variables)
                options = sort_options(unique(apply_regex(options, regex)), spec.get("sort"))
            except (PrometheusError, re.error, ValueError) as error:
                options = []
                row = self.variable_row(uid, spec, "fail", "variable query failed: %s" % error, query)
            if not options and row is None:
                entry = self.allowlist.match(["%s/$%s" % (uid, name)])
                reason = "variable resolves to no value"
                if entry:
                    entry["empty"].append("%s/$%s" % (uid, name))
                    row = self.variable_row(uid, spec, "allowed", "%s (allowed: %s)" % (reason, entry["reason"]), query)
                else:
                    row = self.variable_row(uid, spec, "fail", reason, query)
            elif row is None:
                entry = self.allowlist.match(["%s/$%s" % (uid, name)])
                if entry:
                    entry["data"].append("%s/$%s" % (uid, name))
        else:
            return Variable(name, current_values(spec)[:1] or [""]), None
        texts = [text for text, _value in options]
        values = [value for _text, value in options]
        if multi or include_all:
            return Variable(name, values, texts, multi, include_all, all_value if include_all else None,
                            is_all=include_all), row
        current = current_values(spec)
        chosen = current[:1] if current and current[0] in values else values[:1]
        return Variable(name, chosen, [texts[values.index(v)] for v in chosen if v in values] or chosen), row

    # -- queries ------------------------------------------------------------
    def check_dashboard(self, dashboard, path, now_ms=None):
        uid = dashboard.get("uid") or os.path.splitext(os.path.basename(path))[0]
        end_ms = int(now_ms if now_ms is not None else time.time() * 1000)
        variables, rows, info = self.resolve_variables(dashboard, uid, end_ms)
        panels = []
        for panel in iter_panels(dashboard):
            targets = panel.get("targets") or []
            if not targets:
                continue
            for scoped, suffix in self.repeats(panel, variables):
                scoped_vars = dict(variables, **scoped)
                title = substitute(panel.get("title") or "panel %s" % panel.get("id"), scoped_vars,
                                   default_format="raw") + suffix
                panel_result = {"id": panel.get("id"), "title": title, "type": panel.get("type"),
                                "unit": ((panel.get("fieldConfig") or {}).get("defaults") or {}).get("unit"),
                                "targets": []}
                panels.append(panel_result)
                for target in targets:
                    if not is_prometheus_target(target, panel):
                        continue
                    row, result = self.check_target(uid, panel, title, target, scoped_vars, end_ms)
                    rows.append(row)
                    panel_result["targets"].append(result)
        return {"uid": uid, "title": dashboard.get("title"), "file": path, "variables": info,
                "panels": panels, "rows": rows}

    def repeats(self, panel, variables):
        name = panel.get("repeat")
        variable = variables.get(name) if name else None
        if variable is None or not variable.values:
            return [({}, "")]
        copies = []
        for value in variable.values[:self.max_repeat]:
            copies.append(({name: Variable(name, [value], multi=variable.multi, include_all=variable.include_all)},
                           " [%s=%s]" % (name, value)))
        return copies

    def panel_range(self, panel, end_ms):
        range_ms = self.range_ms
        if panel.get("timeFrom"):
            range_ms = parse_duration(re.sub(r"^now-", "", panel["timeFrom"]))
        if panel.get("timeShift"):
            end_ms -= parse_duration(re.sub(r"^now-", "", panel["timeShift"]))
        return end_ms, range_ms

    def check_target(self, uid, panel, title, target, variables, end_ms):
        ref = target.get("refId") or "A"
        keys = ["%s/%s/%s" % (uid, title, ref), "%s/%s" % (uid, title)]
        raw_expr = target.get("expr") or ""
        row = {"uid": uid, "panel": title, "refId": ref, "key": keys[0], "series_count": 0}
        result = {"refId": ref, "expr": raw_expr, "legendFormat": target.get("legendFormat"),
                  "format": target.get("format"), "instant": bool(target.get("instant")),
                  "hide": bool(target.get("hide")), "series": []}
        try:
            end, range_ms = self.panel_range(panel, end_ms)
            min_interval = substitute(panel.get("interval") or "", variables) or None
            target_interval = target.get("interval") or None
            if target_interval and target_interval not in ("$__interval", "${__interval}", "$__rate_interval",
                                                           "${__rate_interval}"):
                target_interval = substitute(target_interval, variables) or None
            context = TimeContext(end, range_ms, self.scrape_ms, panel.get("maxDataPoints"), min_interval,
                                  target_interval)
        except ValueError as error:
            row.update(status="fail", reason="bad interval: %s" % error, expr=raw_expr)
            result.update(status="fail", reason=row["reason"])
            return row, result
        expr = substitute(raw_expr, variables, context.macros())
        row["expr"] = expr
        result.update(resolved_expr=expr, start=context.start / 1000.0, end=context.end / 1000.0,
                      step=context.step / 1000.0)
        if not expr.strip():
            row.update(status="fail", reason="empty expression")
            result.update(status="fail", reason=row["reason"])
            return row, result
        try:
            data = self.prometheus.query_range(expr, context)
        except PrometheusError as error:
            row.update(status="fail", reason="Prometheus error: %s" % error, error_type=error.error_type)
            result.update(status="fail", reason=row["reason"])
            return row, result
        series = data.get("result") or []
        if data.get("resultType") == "scalar":
            series = [{"metric": {}, "values": [data["result"]]}] if data.get("result") else []
        row["series_count"] = len(series)
        result["series_count"] = len(series)
        result["series"] = [{"metric": s.get("metric", {}), "values": s.get("values") or [s.get("value")]}
                            for s in series[:self.max_series]]
        entry = self.allowlist.match(keys)
        if series:
            row.update(status="ok", reason="series=%d" % len(series))
            if entry:
                entry["data"].append(keys[0])
        else:
            reason = "no series" + self.empty_reason(expr)
            if entry:
                entry["empty"].append(keys[0])
                row.update(status="allowed", reason="%s (allowed: %s)" % (reason, entry["reason"]),
                           allowed=entry["reason"])
            else:
                row.update(status="fail", reason=reason)
        result.update(status=row["status"], reason=row["reason"])
        return row, result

    def empty_reason(self, expr):
        names = metric_names(expr)
        if not names:
            return ""
        try:
            known = self.prometheus.metric_names()
        except PrometheusError:
            return ""
        missing = [n for n in names if n not in known]
        if missing:
            return "; metrics not in Prometheus: " + ", ".join(missing)
        return "; its metrics exist (%s): the matchers or the expression select nothing" % ", ".join(names)


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------
def auth_headers(args):
    headers = {}
    if args.bearer_file:
        with open(args.bearer_file, encoding="utf-8") as handle:
            headers["Authorization"] = "Bearer " + handle.read().strip()
    if args.basic_auth_file:
        with open(args.basic_auth_file, encoding="utf-8") as handle:
            credentials = handle.read().strip()
        headers["Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
    return headers


def retryable(report):
    failures = [row for row in report["rows"] if row["status"] == "fail"]
    return failures and not all(row.get("error_type") == "bad_data" for row in failures)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("dashboards", nargs="+", metavar="DASHBOARD.json")
    parser.add_argument("--url", default="http://127.0.0.1:9090", help="Prometheus base URL (default %(default)s)")
    parser.add_argument("--allowlist", action="append", default=[],
                        help="extra allowlist JSON file, in addition to dashboard_queries_allowlist.json; repeatable")
    parser.add_argument("--results", help="write the resolved queries and their results as JSON to this file")
    parser.add_argument("--scrape-interval", default="15s", help="the data source's scrape interval (default %(default)s)")
    parser.add_argument("--range", default="10m", help="time range of the queries, ending now (default %(default)s)")
    parser.add_argument("--wait", type=float, default=0,
                        help="seconds to keep re-running failing dashboards (default %(default)s)")
    parser.add_argument("--retry-interval", type=float, default=5, help="seconds between re-runs (default %(default)s)")
    parser.add_argument("--max-series", type=int, default=12, help="series per target in --results (default %(default)s)")
    parser.add_argument("--timeout", type=float, default=30, help="HTTP timeout in seconds")
    parser.add_argument("--bearer-file", help="file holding a bearer token for Prometheus")
    parser.add_argument("--basic-auth-file", help="file holding user:password for Prometheus")
    args = parser.parse_args(argv)

    allowlist_files = [os.path.join(HERE, "dashboard_queries_allowlist.json")]
    allowlist_files = [p for p in allowlist_files if os.path.exists(p)] + args.allowlist
    try:
        range_ms = parse_duration(args.range)
        scrape_ms = parse_duration(args.scrape_interval)
    except ValueError as error:
        parser.error(str(error))
    prometheus = Prometheus(args.url, args.timeout, auth_headers(args))
    deadline = time.monotonic() + max(args.wait, 0)

    reports = []
    for path in args.dashboards:
        dashboard = load_dashboard(path)
        while True:
            # A fresh allowlist bookkeeping per attempt: only the last one counts.
            allowlist = Allowlist.load(allowlist_files)
            checker = Checker(prometheus, allowlist, range_ms, scrape_ms, args.max_series)
            report = checker.check_dashboard(dashboard, path)
            if not retryable(report) or time.monotonic() + args.retry_interval > deadline:
                break
            failed = sum(1 for row in report["rows"] if row["status"] == "fail")
            print("%s: %d failing, retrying in %gs" % (report["uid"], failed, args.retry_interval), flush=True)
            time.sleep(args.retry_interval)
        report["allowlist"] = allowlist
        reports.append(report)

    counts = {"ok": 0, "allowed": 0, "fail": 0}
    allowed = []
    for report in reports:
        print("== %s (%s) %s" % (report["uid"], report["title"], report["file"]))
        width = max([len(row["panel"]) for row in report["rows"]] + [10])
        for row in report["rows"]:
            counts[row["status"]] += 1
            label = {"ok": "ok", "allowed": "allowed", "fail": "FAIL"}[row["status"]]
            print("%-7s %s  %-*s  %-3s  %s" % (label, report["uid"], width, row["panel"], row["refId"], row["reason"]))
            if row["status"] == "fail" and row.get("expr"):
                print("        expr: %s" % row["expr"])
            if row["status"] == "allowed":
                allowed.append(row)

    stale = []
    unused = []
    merged = {}
    for report in reports:
        for entry in report["allowlist"].entries:
            slot = merged.setdefault((entry["source"], entry["pattern"]), dict(entry, empty=[], data=[]))
            slot["empty"] += entry["empty"]
            slot["data"] += entry["data"]
    for entry in merged.values():
        if entry["data"] and not entry["empty"]:
            stale.append(entry)
        elif not entry["data"] and not entry["empty"]:
            unused.append(entry)
    if allowed:
        print("\nallowed (empty on this fleet, allowlisted):")
        for row in allowed:
            print("  %s  %s" % (row["key"], row["reason"]))
    if stale:
        print("\nWARNING stale allowlist entries (their queries return data now):")
        for entry in stale:
            print("  [%s] %s: %s  (data: %s)" % (
                entry["source"], entry["pattern"], entry["reason"], ", ".join(entry["data"])))
    if unused:
        print("\nallowlist entries matching no query here:")
        for entry in unused:
            print("  [%s] %s: %s" % (entry["source"], entry["pattern"], entry["reason"]))
    print("\n%d dashboards, %d queries: %d ok, %d allowed, %d failed; %d stale allowlist entries" % (
        len(reports), sum(counts.values()), counts["ok"], counts["allowed"], counts["fail"], len(stale)))

    if args.results:
        document = {
            "url": args.url, "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "range": args.range, "scrape_interval": args.scrape_interval,
            "dashboards": [{key: report[key] for key in ("uid", "title", "file", "variables", "panels")}
                           for report in reports],
        }
        directory = os.path.dirname(os.path.abspath(args.results))
        os.makedirs(directory, exist_ok=True)
        with open(args.results, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=1, sort_keys=True)
            handle.write("\n")
    return 1 if counts["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
