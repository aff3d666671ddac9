# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check that every alert and recording rule can fire on this fleet.

Reads the rules a Prometheus has loaded (GET /api/v1/rules, so it checks what
the role deployed) or rendered rule files (--rules-file, needs PyYAML), pulls
every input vector selector out of every expression with a small PromQL
tokenizer and parser, and asks the same Prometheus whether the series exist:

- the metric name has series (with the selector's job matcher);
- every equality matcher (``le="2.5"``, ``state="failed"``) matches at least
  one series: this proves label values such as the float formatting of le;
- every other label the rule relies on (regex and negative matchers, by() and
  on() / group_left() labels of the aggregations and binary operations around
  the selector) exists on the metric's series, or is a target label
  (instance, job, vllm_instance). Labels a rule creates with label_replace()
  or label_join() are not required; without() and ignoring() labels are not
  required either (removing an absent label is a no-op).

Names recorded by the rules themselves are skipped: their own recording rule
is checked through its inputs. Series that cannot exist on a healthy test
fleet are listed with a reason in rule_series_allowlist.json beside this file
(more with --allowlist). Exit status 1 on any miss not allowlisted.

Standard library only: it runs on a bare Debian 12 host against its own
Prometheus on 127.0.0.1:9090.

Usage: python3 rule_series.py [--url URL] [--only-jobs node,prometheus] [--allowlist FILE]
"""

import argparse
import fnmatch
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

TARGET_LABELS = frozenset(["instance", "job", "vllm_instance"])

AGGREGATIONS = frozenset([
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count",
    "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio",
])
SET_OPS = frozenset(["and", "or", "unless"])
# Binding power of the binary operators (higher binds tighter); ^ is
# right-associative.
BINARY_PRECEDENCE = {
    "or": 1,
    "and": 2, "unless": 2,
    "==": 3, "!=": 3, "<=": 3, "<": 3, ">=": 3, ">": 3,
    "+": 4, "-": 4,
    "*": 5, "/": 5, "%": 5, "atan2": 5,
    "^": 6,
}
KEYWORDS = frozenset([
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
    "offset",
]) | SET_OPS | frozenset(["atan2"])
# Functions whose string arguments name a label the function creates.
LABEL_CREATING = {"label_replace": 1, "label_join": 1}

_DURATION = r"(?:\d+(?:ms|[smhdwy]))+"
_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+|\#[^\n]*)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
  | (?P<duration>""" + _DURATION + r""")(?![A-Za-z0-9_.])
  | (?P<number>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(?![A-Za-z0-9_:])
  | (?P<ident>[A-Za-z_][A-Za-z0-9_:]*)
  | (?P<op>==|!=|<=|>=|=~|!~|[-+*/%^<>=(){}\[\],:@])
    """,
    re.VERBOSE,
)


class PromQLError(ValueError):
    """An expression this tokenizer/parser does not understand."""


class Token:
    __slots__ = ("kind", "value", "pos")

    def __init__(self, kind, value, pos):
        self.kind = kind
        self.value = value
        self.pos = pos

    def __repr__(self):
        return "Token(%r, %r)" % (self.kind, self.value)

    def __eq__(self, other):
        return isinstance(other, Token) and (self.kind, self.value) == (other.kind, other.value)


def tokenize(expr):
    """Split a PromQL expression into (kind, value) tokens.

    Kinds: string (value unquoted), duration, number, ident (metric, label,
    function or keyword names; ``inf``/``nan`` are numbers), op.
    """
    tokens = []
    pos = 0
    while pos < len(expr):
        match = _TOKEN_RE.match(expr, pos)
        if not match:
            raise PromQLError("cannot tokenize at %d: %r" % (pos, expr[pos:pos + 20]))
        kind = match.lastgroup
        text = match.group(kind)
        if kind == "string":
            tokens.append(Token("string", _unquote(text), pos))
        elif kind == "ident" and text.lower() in ("inf", "nan"):
            tokens.append(Token("number", text, pos))
        elif kind != "ws":
            tokens.append(Token(kind, text, pos))
        pos = match.end()
    return tokens


def _unquote(text):
    if text[0] == "`":
        return text[1:-1]
    body = text[1:-1]
    # Go string escapes; the ones PromQL label values use in practice.
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


class Selector:
    """One vector selector: metric name (None for a __name__ regex) and matchers."""

    def __init__(self, name, matchers):
        self.name = name
        self.matchers = matchers  # [(label, op, value)]
        self.required_labels = set()  # from by()/on()/group_x() around it

    def equality(self):
        return [(label, value) for label, op, value in self.matchers if op == "=" and label != "__name__"]

    def label_names(self):
        return {matcher[0] for matcher in self.matchers if matcher[0] != "__name__"}

    def __str__(self):
        matchers = ",".join('%s%s"%s"' % (label, op, value.replace('"', '\\"'))
                            for label, op, value in self.matchers if not (label == "__name__" and op == "="))
        name = self.name or ""
        return "%s{%s}" % (name, matchers) if matchers or not name else name

    def __repr__(self):
        return "Selector(%s)" % self


class Parser:
    """A small Pratt parser over tokenize(); builds only what the check needs.

    parse() returns a list of Selector; labels named in by(), on() and
    group_left()/group_right() are added to required_labels of every selector
    under that aggregation or on either side of that binary operation.
    """

    def __init__(self, expr):
        self.expr = expr
        self.tokens = tokenize(expr)
        self.pos = 0
        self.created_labels = set()
        self.grouping_labels = {"by": set(), "without": set(), "on": set(), "ignoring": set(), "group": set()}

    # -- token helpers ------------------------------------------------------
    def peek(self, offset=0):
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else Token("eof", "", len(self.expr))

    def next(self):
        token = self.peek()
        self.pos += 1
        return token

    def accept(self, kind, value=None):
        token = self.peek()
        if token.kind == kind and (value is None or token.value == value):
            self.pos += 1
            return token
        return None

    def expect(self, kind, value=None):
        token = self.accept(kind, value)
        if token is None:
            got = self.peek()
            raise PromQLError("expected %s %r at %d, got %r in %r" % (kind, value, got.pos, got.value, self.expr))
        return token

    # -- grammar ------------------------------------------------------------
    def parse(self):
        selectors = self.expression(0)
        if self.peek().kind != "eof":
            token = self.peek()
            raise PromQLError("unexpected %r at %d in %r" % (token.value, token.pos, self.expr))
        return selectors

    def expression(self, min_power):
        selectors = self.unary()
        while True:
            token = self.peek()
            op = token.value if token.kind in ("op", "ident") else None
            power = BINARY_PRECEDENCE.get(op)
            if power is None or power < min_power:
                return selectors
            self.next()
            self.accept("ident", "bool")
            labels = self.matching()
            right = self.expression(power if op == "^" else power + 1)
            selectors = selectors + right
            for selector in selectors:
                selector.required_labels |= labels

    def matching(self):
        """on()/ignoring() and group_left()/group_right() after a binary operator."""
        labels = set()
        token = self.peek()
        if token.kind == "ident" and token.value in ("on", "ignoring"):
            self.next()
            names = self.label_list()
            self.grouping_labels[token.value] |= names
            if token.value == "on":
                labels |= names
        token = self.peek()
        if token.kind == "ident" and token.value in ("group_left", "group_right"):
            self.next()
            if self.peek().kind == "op" and self.peek().value == "(":
                names = self.label_list()
                self.grouping_labels["group"] |= names
                labels |= names
        return labels

    def label_list(self):
        self.expect("op", "(")
        names = set()
        while not self.accept("op", ")"):
            names.add(self.expect("ident").value)
            if not self.accept("op", ","):
                self.expect("op", ")")
                break
        return names

    def unary(self):
        if self.peek().kind == "op" and self.peek().value in ("-", "+"):
            self.next()
            # Unary minus binds looser than ^ (-2^2 is -4).
            return self.expression(BINARY_PRECEDENCE["^"])
        return self.postfix(self.primary())

    def postfix(self, selectors):
        while True:
            if self.accept("op", "["):
                self.expect("duration")
                if self.accept("op", ":"):
                    self.accept("duration")
                self.expect("op", "]")
            elif self.accept("ident", "offset"):
                self.accept("op", "-")
                self.expect("duration")
            elif self.accept("op", "@"):
                if self.peek().kind == "ident" and self.peek().value in ("start", "end"):
                    self.next()
                    self.expect("op", "(")
                    self.expect("op", ")")
                else:
                    self.accept("op", "-")
                    self.expect("number")
            else:
                return selectors

    def primary(self):
        token = self.next()
        if token.kind in ("number", "string"):
            return []
        if token.kind == "duration":
            # A bare duration is a number of seconds in newer PromQL.
            return []
        if token.kind == "op" and token.value == "(":
            selectors = self.expression(0)
            self.expect("op", ")")
            return selectors
        if token.kind == "op" and token.value == "{":
            self.pos -= 1
            return [self.selector(None)]
        if token.kind == "ident":
            following = self.peek()
            if token.value in AGGREGATIONS and (
                    following.value == "(" or following.value in ("by", "without")):
                return self.aggregation()
            if following.kind == "op" and following.value == "(" and token.value not in KEYWORDS:
                return self.call(token.value)
            if token.value in KEYWORDS:
                raise PromQLError("unexpected keyword %r at %d in %r" % (token.value, token.pos, self.expr))
            return [self.selector(token.value)]
        raise PromQLError("unexpected %r at %d in %r" % (token.value, token.pos, self.expr))

    def aggregation(self):
        labels = set()
        clause = None
        if self.peek().kind == "ident" and self.peek().value in ("by", "without"):
            clause = self.next().value
            labels = self.label_list()
        selectors = self.arguments()
        if clause is None and self.peek().kind == "ident" and self.peek().value in ("by", "without"):
            clause = self.next().value
            labels = self.label_list()
        if clause:
            self.grouping_labels[clause] |= labels
        if clause == "by":
            for selector in selectors:
                selector.required_labels |= labels
        return selectors

    def call(self, name):
        arguments = []
        selectors = self.arguments(arguments)
        if name in LABEL_CREATING and len(arguments) > LABEL_CREATING[name]:
            # The destination label argument: a single string token.
            tokens = arguments[LABEL_CREATING[name]]
            if len(tokens) == 1 and tokens[0].kind == "string":
                self.created_labels.add(tokens[0].value)
        return selectors

    def arguments(self, tokens_per_argument=None):
        """Selectors of a parenthesised argument list; the tokens of each argument go to tokens_per_argument."""
        self.expect("op", "(")
        selectors = []
        if self.accept("op", ")"):
            return selectors
        while True:
            start = self.pos
            selectors += self.expression(0)
            if tokens_per_argument is not None:
                tokens_per_argument.append(self.tokens[start:self.pos])
            if self.accept("op", ")"):
                return selectors
            self.expect("op", ",")

    def selector(self, name):
        matchers = []
        if self.accept("op", "{"):
            while not self.accept("op", "}"):
                label = self.next()
                if label.kind not in ("ident", "string"):
                    raise PromQLError("bad label name %r at %d in %r" % (label.value, label.pos, self.expr))
                op = self.next()
                if op.value not in ("=", "!=", "=~", "!~"):
                    raise PromQLError("bad matcher %r at %d in %r" % (op.value, op.pos, self.expr))
                value = self.expect("string")
                matchers.append((label.value, op.value, value.value))
                if not self.accept("op", ","):
                    self.expect("op", "}")
                    break
        if name is None:
            for label, op, value in matchers:
                if label == "__name__" and op == "=":
                    name = value
        if name is None and not any(matcher[0] == "__name__" for matcher in matchers):
            raise PromQLError("selector without a metric name in %r" % self.expr)
        return Selector(name, matchers)


def extract(expr):
    """(selectors, labels created by the expression) of one PromQL expression."""
    parser = Parser(expr)
    selectors = parser.parse()
    for selector in selectors:
        selector.required_labels -= parser.created_labels
    return selectors, parser.created_labels


# --------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------
def rules_from_api(url, timeout):
    data = api_get(url, "/api/v1/rules", {}, timeout)
    rules = []
    for group in data["groups"]:
        for rule in group["rules"]:
            kind = "alert" if rule["type"] == "alerting" else "record"
            rules.append({"group": group["name"], "kind": kind, "name": rule["name"], "expr": rule["query"]})
    return rules


def rules_from_files(paths):
    try:
        import yaml  # pylint: disable=import-outside-toplevel
    except ImportError:
        raise SystemExit("--rules-file needs PyYAML; on a host without it, read the loaded rules from the API")
    rules = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            document = yaml.safe_load(handle) or {}
        for group in document.get("groups", []):
            for rule in group.get("rules", []):
                kind = "alert" if "alert" in rule else "record"
                rules.append({"group": group["name"], "kind": kind, "name": rule[kind], "expr": str(rule["expr"])})
    return rules


# --------------------------------------------------------------------------
# Prometheus
# --------------------------------------------------------------------------
def api_get(url, path, params, timeout):
    query = urllib.parse.urlencode(params, doseq=True)
    full = url.rstrip("/") + path + ("?" + query if query else "")
    try:
        with urllib.request.urlopen(full, timeout=timeout) as response:
            body = json.load(response)
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise SystemExit("cannot read %s: %s" % (full, error))
    if body.get("status") != "success":
        raise SystemExit("%s: %s" % (full, body.get("error", body)))
    return body["data"]


def promql_selector(name, matchers):
    quoted = ",".join('%s%s"%s"' % (label, op, value.replace("\\", "\\\\").replace('"', '\\"'))
                      for label, op, value in matchers)
    return "%s{%s}" % (name or "", quoted)


class SeriesSource:
    """Label sets of the series matching a selector, cached per selector."""

    def __init__(self, url, lookback_seconds, timeout):
        self.url = url
        self.lookback = lookback_seconds
        self.timeout = timeout
        self.cache = {}

    def series(self, match):
        if match not in self.cache:
            now = time.time()
            self.cache[match] = api_get(self.url, "/api/v1/series", {
                "match[]": match, "start": "%.3f" % (now - self.lookback), "end": "%.3f" % now,
            }, self.timeout)
        return self.cache[match]


def check_selector(selector, source):
    """(ok, message) for one selector."""
    base = []
    if selector.name is not None:
        job = [m for m in selector.matchers if m[0] == "job" and m[1] == "="]
        base = job
    else:
        base = [m for m in selector.matchers if m[0] == "__name__"]
    series = source.series(promql_selector(selector.name, base))
    if not series:
        return False, "no series"
    names = set(TARGET_LABELS)
    for labels in series:
        names.update(labels)
    missing = sorted((selector.label_names() | selector.required_labels) - names)
    if missing:
        return False, "no label %s on its %d series" % (", ".join(missing), len(series))
    equality = [(label, value) for label, value in selector.equality() if label != "job"]
    for label, value in equality:
        if not any(labels.get(label) == value for labels in series):
            seen = sorted({labels[label] for labels in series if label in labels})
            shown = ", ".join('"%s"' % v for v in seen[:8]) + (", ..." if len(seen) > 8 else "")
            return False, '%s="%s" matches none of its %d series (%s has %s)' % (
                label, value, len(series), label, shown or "no values")
    return True, "%d series" % len(series)


def selector_jobs(selector):
    """Jobs a selector is restricted to, or None when it names none."""
    for label, op, value in selector.matchers:
        if label != "job":
            continue
        if op == "=":
            return {value}
        if op == "=~" and re.fullmatch(r"[A-Za-z0-9_|-]+", value):
            return set(value.split("|"))
    return None


# --------------------------------------------------------------------------
# Allowlist
# --------------------------------------------------------------------------
def load_allowlist(paths):
    entries = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
        for entry in document["allow"]:
            if not entry.get("metric") or not entry.get("reason"):
                raise SystemExit("%s: every entry needs metric and reason: %r" % (path, entry))
            entry = dict(entry, source=os.path.basename(path), used=False)
            entries.append(entry)
    return entries


def allowed(selector, entries):
    for entry in entries:
        if not fnmatch.fnmatchcase(selector.name or "", entry["metric"]):
            continue
        equality = dict(selector.equality())
        equality.update((label, value) for label, op, value in selector.matchers if label == "job" and op == "=")
        if all(equality.get(label) == value for label, value in entry.get("labels", {}).items()):
            return entry
    return None


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------
def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--url", default="http://127.0.0.1:9090", help="Prometheus base URL (default %(default)s)")
    parser.add_argument("--rules-file", action="append", default=[],
                        help="check rendered rule files instead of the loaded rules (needs PyYAML); repeatable")
    parser.add_argument("--allowlist", action="append", default=[],
                        help="extra allowlist JSON file, in addition to rule_series_allowlist.json; repeatable")
    parser.add_argument("--only-jobs", default="",
                        help="comma-separated jobs: selectors that name only other jobs are skipped")
    parser.add_argument("--lookback", type=float, default=10, help="minutes of series to look at (default %(default)s)")
    parser.add_argument("--timeout", type=float, default=10, help="HTTP timeout in seconds")
    parser.add_argument("--list", action="store_true",
                        help="only print the selectors (and the labels they must carry) of every rule; no queries")
    args = parser.parse_args(argv)

    rules = rules_from_files(args.rules_file) if args.rules_file else rules_from_api(args.url, args.timeout)
    if not rules:
        print("no rules loaded at %s" % args.url)
        return 1
    recorded = {rule["name"] for rule in rules if rule["kind"] == "record"}
    entries = load_allowlist([os.path.join(here, "rule_series_allowlist.json")] + args.allowlist)
    only_jobs = {job for job in args.only_jobs.split(",") if job}
    source = SeriesSource(args.url, args.lookback * 60, args.timeout)

    if args.list:
        for rule in rules:
            for selector in extract(rule["expr"])[0]:
                if selector.name not in recorded:
                    labels = ",".join(sorted(selector.label_names() | selector.required_labels))
                    print("%s %s  %s  labels: %s" % (rule["kind"], rule["name"], selector, labels))
        return 0

    rows = []
    misses = 0
    allowlisted = []
    for rule in rules:
        try:
            selectors = extract(rule["expr"])[0]
        except PromQLError as error:
            rows.append((rule, "-", "PARSE ERROR: %s" % error))
            misses += 1
            continue
        seen = set()
        for selector in selectors:
            if selector.name in recorded or str(selector) in seen:
                continue
            seen.add(str(selector))
            jobs = selector_jobs(selector)
            if only_jobs and jobs is not None and not jobs & only_jobs:
                rows.append((rule, str(selector), "skipped (job not in --only-jobs)"))
                continue
            ok, message = check_selector(selector, source)
            if ok:
                rows.append((rule, str(selector), "ok: " + message))
                continue
            entry = allowed(selector, entries)
            if entry:
                entry["used"] = True
                rows.append((rule, str(selector), "allowlisted: " + message))
                allowlisted.append((str(selector), entry))
            else:
                rows.append((rule, str(selector), "MISSING: " + message))
                misses += 1

    width = max(len("%s %s" % (r["kind"], r["name"])) for r, _selector, _result in rows) if rows else 10
    for rule, selector, result in rows:
        print("%-*s  %s  ->  %s" % (width, "%s %s" % (rule["kind"], rule["name"]), selector, result))
    if allowlisted:
        print("\nallowlisted (cannot exist on this fleet):")
        for selector, entry in sorted(dict(allowlisted).items()):
            print("  %s  [%s: %s] %s" % (selector, entry["source"], entry["metric"], entry["reason"]))
    unused = [entry for entry in entries if not entry["used"]]
    if unused and not only_jobs:
        # Not an error (another fleet may need them), but a hint that an
        # entry may have become obsolete, e.g. once a stand-in exists.
        print("\nallowlist entries not needed here:")
        for entry in unused:
            print("  [%s: %s%s] %s" % (entry["source"], entry["metric"],
                                       json.dumps(entry.get("labels", {})) if entry.get("labels") else "",
                                       entry["reason"]))
    checked = sum(1 for _rule, _selector, result in rows if not result.startswith("skipped"))
    print("\n%d rules, %d selectors checked, %d allowlisted, %d missing" % (
        len(rules), checked, len(allowlisted), misses))
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
