# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST STAND-IN (llmops.vllm_stack tests) for the Grafana server binary.

Not Grafana: a python3 test double installed as /usr/share/grafana/bin/grafana
by the stand-in `grafana` Debian package (tests/platform/grafana-standin-repo.sh).
It answers the command lines the real package's unit and grafana-cli use:

  grafana server --config=FILE [--pidfile=F] [--homepath=DIR] [--packaging=deb] [cfg:default.paths.X=Y ...]
  grafana cli [--homepath DIR] [--config FILE] [--configOverrides 'cfg:...'] admin reset-admin-password (NEWPASS | --password-from-stdin)
  grafana cli plugins ls | plugins install ID (refused)
  grafana -v | --version; grafana server -v

reads the ini and the provisioning files the way Grafana does (the subset
README.md beside this file lists) and serves a small part of Grafana's HTTP
API from that and a JSON state file. See README.md for what it does not do.
"""

import base64
import datetime
import glob
import hashlib
import hmac
import http.server
import json
import os
import re
import secrets
import signal
import socketserver
import ssl
import string
import sys
import threading
import urllib.parse

try:
    import yaml
except ImportError:  # pragma: no cover - the package depends on python3-yaml
    yaml = None

VERSION = "@VERSION@"
if VERSION.startswith("@"):
    VERSION = "0.0.0-source"
COMMIT = "standin"
BRANCH = "HEAD"
REDACTED = "*********"
STATE_FORMAT = "llmops-grafana-standin-state/1"

# The part of Grafana's conf/defaults.ini the stand-in reads. Relative paths
# are relative to the home path, as in Grafana.
DEFAULTS = {
    "": {"app_mode": "production", "instance_name": "${HOSTNAME}"},
    "paths": {"data": "data", "temp_data_lifetime": "24h", "logs": "data/log",
              "plugins": "data/plugins", "provisioning": "conf/provisioning"},
    "server": {"protocol": "http", "http_addr": "", "http_port": "3000", "domain": "localhost",
               "enforce_domain": "false", "root_url": "%(protocol)s://%(domain)s:%(http_port)s/",
               "serve_from_sub_path": "false", "router_logging": "false", "cert_file": "",
               "cert_key": ""},
    "database": {"type": "sqlite3", "host": "127.0.0.1:3306", "name": "grafana", "user": "root",
                 "password": "", "url": "", "path": "grafana.db"},
    "security": {"disable_initial_admin_creation": "false", "admin_user": "admin",
                 "admin_password": "admin", "admin_email": "admin@localhost",
                 "secret_key": "SW2YcwTIb9zpOOhoPsMm", "disable_gravatar": "false"},
    "users": {"allow_sign_up": "false", "allow_org_create": "false", "default_theme": "dark"},
    "auth": {"disable_login_form": "false"},
    "auth.anonymous": {"enabled": "false", "org_name": "Main Org.", "org_role": "Viewer"},
    "auth.basic": {"enabled": "true"},
    "analytics": {"reporting_enabled": "true", "check_for_updates": "true"},
    "log": {"mode": "console file", "level": "info"},
    "log.file": {"log_rotate": "true"},
    "plugins": {"allow_loading_unsigned_plugins": ""},
    "unified_alerting": {"enabled": "true"},
}
SECRET_WORDS = ("password", "secret", "provider_config", "private_key", "secure_key",
                "client_secret", "api_key", "token")
URL_TYPES = ("prometheus", "alertmanager", "loki", "tempo", "elasticsearch", "influxdb", "graphite")


class StandinError(Exception):
    """A failure Grafana would report and stop on."""


# --------------------------------------------------------------------------
# Logging: logfmt lines like Grafana's, on stderr and in [paths] logs/grafana.log
# --------------------------------------------------------------------------
class Log:
    def __init__(self):
        self.path = None
        self.file = None
        self.lock = threading.Lock()

    def open(self, directory):
        try:
            os.makedirs(directory, exist_ok=True)
            self.path = os.path.join(directory, "grafana.log")
            self.reopen()
        except OSError as e:
            self.path = None
            self.write("log", "warn", "Could not open the log file", error=str(e))

    def reopen(self):
        with self.lock:
            if self.file:
                self.file.close()
                self.file = None
            if self.path:
                self.file = open(self.path, "a", encoding="utf-8")  # pylint: disable=consider-using-with

    def write(self, logger, level, msg, **fields):
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        parts = ["logger=%s" % logger, "t=%s" % now, "level=%s" % level, "msg=%s" % _quote(msg)]
        parts += ["%s=%s" % (k, _quote(str(v))) for k, v in fields.items()]
        line = " ".join(parts)
        with self.lock:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()
            if self.file:
                self.file.write(line + "\n")
                self.file.flush()


def _quote(value):
    if value == "" or re.search(r'[\s"=]', value):
        return json.dumps(value, ensure_ascii=False)
    return value


LOG = Log()


# --------------------------------------------------------------------------
# Configuration: defaults, cfg:default.*, the ini, GF_* environment, cfg:*
# --------------------------------------------------------------------------
def parse_ini(text, name):
    """Grafana (go-ini) syntax: [section], key = value, ; and # comments."""
    sections = {"": {}}
    current = ""
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in ";#":
            continue
        if line.startswith("["):
            if not line.endswith("]"):
                raise StandinError("%s:%d: malformed section header %r" % (name, number, line))
            current = line[1:-1].strip()
            sections.setdefault(current, {})
            continue
        if "=" not in line:
            raise StandinError("%s:%d: key-value delimiter not found: %s" % (name, number, line))
        key, value = line.split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'`":
            value = value[1:-1]
        elif len(value) >= 6 and value.startswith('"""') and value.endswith('"""'):
            value = value[3:-3]
        sections[current][key.strip()] = value
    return sections


def expand(value, section_values):
    """${ENV}, $__env{X}, $__file{/path} and %(key)s, as Grafana expands values."""
    def env(match):
        return os.environ.get(match.group(1), "")

    def file_(match):
        try:
            with open(match.group(1).strip(), encoding="utf-8") as f:
                return f.read().strip()
        except OSError as e:
            raise StandinError("failed to read file %s: %s" % (match.group(1), e)) from e

    value = re.sub(r"\$__env\{([^}]*)\}", env, value)
    value = re.sub(r"\$__file\{([^}]*)\}", file_, value)
    value = re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", env, value)
    for _depth in range(5):
        new = re.sub(r"%\(([^)]+)\)s", lambda m: section_values.get(m.group(1), m.group(0)), value)
        if new == value:
            break
        value = new
    return value


def env_key(section, key):
    name = "GF_%s_%s" % (section, key) if section else "GF_%s" % key
    return re.sub(r"[.\-]", "_", name).upper()


class Config:
    def __init__(self, config_file=None, homepath=None, overrides=()):
        self.homepath = homepath or os.path.dirname(os.path.dirname(os.path.abspath(sys.argv[0])))
        self.config_file = config_file
        self.raw = {s: dict(v) for s, v in DEFAULTS.items()}
        defaults, commandline = {}, {}
        for item in overrides:
            if not item.startswith("cfg:") or "=" not in item:
                continue
            key, value = item[4:].split("=", 1)
            target = commandline
            if key.startswith("default."):
                key, target = key[len("default."):], defaults
            section, _dot, name = key.rpartition(".")
            target.setdefault(section, {})[name] = value
        self._merge(defaults)
        if config_file:
            try:
                with open(config_file, encoding="utf-8") as f:
                    text = f.read()
            except OSError as e:
                raise StandinError("failed to load configuration file %s: %s" % (config_file, e)) from e
            self._merge(parse_ini(text, config_file))
        self.env_overrides = []
        for section, values in self.raw.items():
            for key in values:
                name = env_key(section, key)
                if name in os.environ:
                    values[key] = os.environ[name]
                    self.env_overrides.append(name)
        self._merge(commandline)
        self.values = {}
        for section, values in self.raw.items():
            scope = dict(self.raw.get("", {}))
            scope.update(values)
            self.values[section] = {k: expand(v, scope) for k, v in values.items()}

    def _merge(self, sections):
        for section, values in sections.items():
            self.raw.setdefault(section, {}).update(values)

    def get(self, section, key, default=""):
        return self.values.get(section, {}).get(key, default)

    def bool(self, section, key):
        return self.get(section, key).strip().lower() in ("true", "1", "yes", "on")

    def path(self, section, key, base=None):
        value = self.get(section, key)
        if not value:
            return value
        return value if os.path.isabs(value) else os.path.join(base or self.homepath, value)

    @property
    def data(self):
        return self.path("paths", "data")

    @property
    def state_file(self):
        return self.path("database", "path", self.data)

    def redacted(self):
        out = {}
        for section, values in self.values.items():
            shown = {}
            for key, value in values.items():
                lower = key.lower()
                if value and any(word in lower for word in SECRET_WORDS):
                    value = REDACTED
                elif lower.endswith("url") and "@" in value:
                    parsed = urllib.parse.urlsplit(value)
                    if parsed.password:
                        value = value.replace(":%s@" % parsed.password, ":%s@" % REDACTED, 1)
                shown[key] = value
            out[section or "DEFAULT"] = shown
        return out


# --------------------------------------------------------------------------
# State: the admin user, in a JSON file where Grafana keeps grafana.db
# --------------------------------------------------------------------------
def encode_password(password, salt):
    """Grafana's util.EncodePassword: hex(pbkdf2-sha256(password, salt, 10000, 50))."""
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), 10000, 50).hex()


def new_salt():
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _index in range(10))


def read_state(path):
    try:
        with open(path, encoding="utf-8") as f:
            state = json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise StandinError("failed to read the database %s: %s" % (path, e)) from e
    if state.get("format") != STATE_FORMAT:
        raise StandinError("%s is not a grafana stand-in state file (format %r)" % (path, state.get("format")))
    return state


def write_state(path, state):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = "%s.tmp.%d" % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(state, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def init_state(cfg):
    path = cfg.state_file
    state = read_state(path)
    if state is not None:
        LOG.write("sqlstore", "info", "Database exists, the admin password of the configuration is not used",
                  path=path)
        return state
    state = {"format": STATE_FORMAT, "note": "STAND-IN for llmops.vllm_stack tests: not an sqlite database",
             "version": VERSION, "users": []}
    if not cfg.bool("security", "disable_initial_admin_creation"):
        salt = new_salt()
        stamp = now_iso()
        state["users"].append({
            "id": 1, "login": cfg.get("security", "admin_user") or "admin",
            "email": cfg.get("security", "admin_email") or "admin@localhost", "name": "",
            "salt": salt, "password": encode_password(cfg.get("security", "admin_password"), salt),
            "isGrafanaAdmin": True, "created": stamp, "updated": stamp})
        LOG.write("sqlstore", "info", "Created default admin", user=state["users"][0]["login"])
    write_state(path, state)
    return state


def find_user(state, login):
    for user in (state or {}).get("users", []):
        if login in (user["login"], user["email"]):
            return user
    return None


# --------------------------------------------------------------------------
# Provisioning
# --------------------------------------------------------------------------
def expand_env(value):
    """Provisioning files: $VAR and ${VAR} are replaced from the environment."""
    if isinstance(value, str):
        return re.sub(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))",
                      lambda m: os.environ.get(m.group(1) or m.group(2), ""), value)
    if isinstance(value, list):
        return [expand_env(v) for v in value]
    if isinstance(value, dict):
        return {k: expand_env(v) for k, v in value.items()}
    return value


def yaml_files(directory):
    return sorted(glob.glob(os.path.join(directory, "*.yaml")) + glob.glob(os.path.join(directory, "*.yml")))


def load_yaml(path):
    if yaml is None:
        raise StandinError("python3-yaml is missing (a dependency of the stand-in package)")
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        raise StandinError("could not parse provisioning config file: %s error: %s" % (path, e)) from e


def stable_uid(*parts):
    return hashlib.sha1("/".join(parts).encode()).hexdigest()[:14]


def slugify(title):
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def valid_url(value):
    parsed = urllib.parse.urlsplit(value or "")
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def provisioning_entries(directory, key):
    """(path, index, entry) of every entry under KEY of the apiVersion 1 files in directory, $VARs expanded."""
    for path in yaml_files(directory):
        doc = load_yaml(path)
        if doc is None:
            continue
        if not isinstance(doc, dict) or doc.get("apiVersion") != 1:
            raise StandinError("%s: apiVersion must be 1 (stand-in reads apiVersion 1 files only)" % path)
        entries = doc.get(key) or []
        if not isinstance(entries, list):
            raise StandinError("%s: %s must be a list" % (path, key))
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                raise StandinError("%s: %s[%d] is not a mapping" % (path, key, index))
            yield path, index, expand_env(entry)


def read_datasources(directory):
    found, defaults = [], []
    for path, index, ds in provisioning_entries(directory, "datasources"):
        name, kind = ds.get("name"), ds.get("type")
        if not name:
            raise StandinError("%s: datasources[%d] has no name" % (path, index))
        if not kind:
            raise StandinError("%s: datasource %s has no type" % (path, name))
        if ds.get("access", "proxy") not in ("proxy", "direct"):
            raise StandinError("%s: datasource %s: access must be proxy or direct" % (path, name))
        if kind in URL_TYPES and not valid_url(ds.get("url")):
            raise StandinError("%s: datasource %s of type %s: url %r is not a URL" % (path, name, kind, ds.get("url")))
        for field in ("jsonData", "secureJsonData"):
            if not isinstance(ds.get(field, {}) or {}, dict):
                raise StandinError("%s: datasource %s: %s must be a mapping" % (path, name, field))
        if ds.get("isDefault"):
            defaults.append(name)
        uid = str(ds.get("uid") or stable_uid("datasource", name))
        found = [d for d in found if d["name"] != name]
        found.append({"name": name, "type": kind, "uid": uid, "access": ds.get("access", "proxy"),
                      "url": ds.get("url", ""), "user": ds.get("user", ""),
                      "database": ds.get("database", ""), "basicAuth": bool(ds.get("basicAuth")),
                      "basicAuthUser": ds.get("basicAuthUser", ""),
                      "withCredentials": bool(ds.get("withCredentials")),
                      "isDefault": bool(ds.get("isDefault")), "jsonData": ds.get("jsonData") or {},
                      "secureJsonData": ds.get("secureJsonData") or {}, "version": ds.get("version", 1),
                      "editable": bool(ds.get("editable")), "file": path})
    if len(defaults) > 1:
        raise StandinError("datasource.yaml config is invalid. Only one datasource per organization "
                           "can be marked as default (%s)" % ", ".join(defaults))
    uids = {}
    for ds in found:
        if ds["uid"] in uids:
            raise StandinError("datasources %s and %s have the same uid %s" % (uids[ds["uid"]], ds["name"], ds["uid"]))
        uids[ds["uid"]] = ds["name"]
    for number, ds in enumerate(found, 1):
        ds["id"] = number
    return found


def read_dashboards(directory):
    providers = []
    for path, index, p in provisioning_entries(directory, "providers"):
        if not p.get("name"):
            raise StandinError("%s: providers[%d] has no name" % (path, index))
        if p.get("type", "file") != "file":
            raise StandinError("%s: provider %s: type %r is not supported" % (path, p["name"], p.get("type")))
        options = p.get("options") or {}
        if not isinstance(options, dict) or not options.get("path"):
            raise StandinError("%s: provider %s has no options.path" % (path, p["name"]))
        try:
            interval = int(p.get("updateIntervalSeconds", 10))
        except (TypeError, ValueError) as e:
            raise StandinError("%s: provider %s: updateIntervalSeconds must be a number" % (path, p["name"])) from e
        providers.append({"name": p["name"], "folder": p.get("folder", "") or "",
                          "folderUid": p.get("folderUid", "") or "", "options": options,
                          "allowUiUpdates": bool(p.get("allowUiUpdates")),
                          "disableDeletion": bool(p.get("disableDeletion")),
                          "updateIntervalSeconds": interval, "file": path})
    dashboards, folders, seen = [], {}, {}
    for provider in providers:
        root = provider["options"]["path"]
        if not os.path.isdir(root):
            LOG.write("provisioning.dashboard", "error", "Cannot read directory", provider=provider["name"],
                      path=root)
            continue
        from_structure = bool(provider["options"].get("foldersFromFilesStructure"))
        if from_structure and (provider["folder"] or provider["folderUid"]):
            raise StandinError("provider %s: 'folder' and 'folderUID' should be empty using "
                               "foldersFromFilesStructure option" % provider["name"])
        for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
            dirnames.sort()
            for filename in sorted(filenames):
                if not filename.endswith(".json"):
                    continue
                file_path = os.path.join(dirpath, filename)
                relative = os.path.relpath(file_path, root)
                try:
                    with open(file_path, encoding="utf-8") as f:
                        dash = json.load(f)
                except (OSError, ValueError) as e:
                    LOG.write("provisioning.dashboard", "error", "failed to load dashboard from ",
                              provider=provider["name"], file=file_path, error=str(e))
                    continue
                if isinstance(dash, dict) and isinstance(dash.get("dashboard"), dict):
                    dash = dash["dashboard"]
                if not isinstance(dash, dict) or not dash.get("title"):
                    raise StandinError("Dashboard provisioning error: %s: Dashboard title cannot be empty" % file_path)
                if not dash.get("uid"):
                    raise StandinError("Dashboard provisioning error: %s: dashboard has no uid (the stand-in "
                                       "requires one)" % file_path)
                folder, folder_uid = provider["folder"], provider["folderUid"]
                if from_structure:
                    parent = os.path.dirname(relative)
                    folder = parent.split(os.sep)[0] if parent else ""
                    folder_uid = ""
                if folder and not folder_uid:
                    folder_uid = stable_uid("folder", folder)
                if folder:
                    folders[folder_uid] = folder
                uid = dash["uid"]
                seen.setdefault(uid, []).append((provider["name"], file_path))
                dashboards.append({"uid": uid, "title": dash["title"], "tags": dash.get("tags") or [],
                                   "folder": folder, "folderUid": folder_uid, "provider": provider["name"],
                                   "file": file_path, "relative": relative, "json": dash})
    keep = []
    for uid, users in seen.items():
        if len(users) > 1:
            LOG.write("provisioning.file_reader", "warn", "the same UID is used more than once", orgId=1,
                      uid=uid, times=len(users), providers="[%s]" % " ".join(sorted({u[0] for u in users})),
                      files="[%s]" % " ".join(u[1] for u in users))
    for dash in dashboards:
        if seen[dash["uid"]][0][1] == dash["file"]:
            keep.append(dash)
    for number, dash in enumerate(keep, 1):
        dash["id"] = number
    return {"providers": providers, "dashboards": keep, "folders": folders}


def check_other(directory, kind):
    """plugins/ and alerting/: the stand-in only checks that the YAML parses."""
    for path in yaml_files(directory):
        load_yaml(path)
        LOG.write("provisioning.%s" % kind, "info", "stand-in: file parsed, contents not applied", file=path)


# --------------------------------------------------------------------------
# Server
# --------------------------------------------------------------------------
class Grafana:
    def __init__(self, cfg):
        self.cfg = cfg
        self.provisioning = cfg.path("paths", "provisioning")
        self.lock = threading.Lock()
        self.datasources = []
        self.dashboards = {"providers": [], "dashboards": [], "folders": {}}

    def provision_datasources(self):
        try:
            found = read_datasources(os.path.join(self.provisioning, "datasources"))
        except StandinError as e:
            raise StandinError("Datasource provisioning error: %s" % e) from e
        with self.lock:
            self.datasources = found
        LOG.write("provisioning.datasources", "info", "inserting datasources from configuration",
                  count=len(found))

    def provision_dashboards(self):
        try:
            found = read_dashboards(os.path.join(self.provisioning, "dashboards"))
        except StandinError as e:
            text = str(e)
            raise StandinError(text if text.startswith("Dashboard provisioning error") else
                               "Dashboard provisioning error: %s" % text) from e
        with self.lock:
            self.dashboards = found
        LOG.write("provisioning.dashboard", "info", "dashboards provisioned", count=len(found["dashboards"]))

    def provision_all(self):
        self.provision_datasources()
        for kind in ("plugins", "alerting"):
            try:
                check_other(os.path.join(self.provisioning, kind), kind)
            except StandinError as e:
                raise StandinError("%s provisioning error: %s" % (kind.capitalize(), e)) from e
        self.provision_dashboards()

    def state(self):
        return read_state(self.cfg.state_file)


def search_hit(dash):
    slug = slugify(dash["title"])
    hit = {"id": dash["id"], "uid": dash["uid"], "orgId": 1, "title": dash["title"], "uri": "db/%s" % slug,
           "url": "/d/%s/%s" % (dash["uid"], slug), "slug": "", "type": "dash-db", "tags": dash["tags"],
           "isStarred": False, "sortMeta": 0}
    if dash["folder"]:
        hit.update({"folderUid": dash["folderUid"], "folderTitle": dash["folder"],
                    "folderUrl": "/dashboards/f/%s/%s" % (dash["folderUid"], slugify(dash["folder"]))})
    return hit


def public_datasource(ds, full):
    out = {"id": ds["id"], "uid": ds["uid"], "orgId": 1, "name": ds["name"], "type": ds["type"],
           "typeLogoUrl": "public/app/plugins/datasource/%s/img/logo.svg" % ds["type"], "access": ds["access"],
           "url": ds["url"], "user": ds["user"], "database": ds["database"], "basicAuth": ds["basicAuth"],
           "isDefault": ds["isDefault"], "jsonData": ds["jsonData"], "readOnly": not ds["editable"]}
    if full:
        out.update({"basicAuthUser": ds["basicAuthUser"], "withCredentials": ds["withCredentials"],
                    "secureJsonFields": {k: True for k in ds["secureJsonData"]}, "version": ds["version"]})
    return out


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "Grafana-standin"
    protocol_version = "HTTP/1.1"
    grafana = None  # set by serve()

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass

    def _send(self, status, body, content_type="application/json", headers=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self._status = status  # pylint: disable=attribute-defined-outside-init

    def _user(self):
        header = self.headers.get("Authorization", "")
        if not header.lower().startswith("basic "):
            return None, "Unauthorized"
        try:
            login, _colon, password = base64.b64decode(header[6:].strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None, "Unauthorized"
        try:
            user = find_user(self.grafana.state(), login)
        except StandinError as e:
            LOG.write("context", "error", "Failed to read the database", error=str(e))
            return None, "Unauthorized"
        if user and hmac.compare_digest(user["password"], encode_password(password, user["salt"])):
            return user, None
        return None, "Invalid username or password"

    def _route(self, method):
        url = urllib.parse.urlsplit(self.path)
        path, query = url.path.rstrip("/") or "/", urllib.parse.parse_qs(url.query)
        g = self.grafana
        if path == "/api/health" and method in ("GET", "HEAD"):
            return self._send(200, {"commit": COMMIT, "database": "ok", "version": VERSION})
        if not path.startswith("/api/"):
            if path == "/login":
                return self._send(200, b"<!doctype html><title>Grafana STAND-IN</title>"
                                       b"<p>STAND-IN for llmops.vllm_stack tests: not Grafana.</p>",
                                  "text/html; charset=UTF-8")
            return self._send(302, b"", "text/html", {"Location": "/login"})
        user, reason = self._user()
        if user is None:
            return self._send(401, {"message": reason})
        with g.lock:
            dashboards = list(g.dashboards["dashboards"])
            folders = dict(g.dashboards["folders"])
            datasources = list(g.datasources)
        if method == "GET" and path == "/api/user":
            return self._send(200, {"id": user["id"], "uid": stable_uid("user", user["login"]),
                                    "email": user["email"], "name": user["name"], "login": user["login"],
                                    "theme": "", "orgId": 1, "isGrafanaAdmin": user["isGrafanaAdmin"],
                                    "isDisabled": False, "isExternal": False, "authLabels": [],
                                    "updatedAt": user["updated"], "createdAt": user["created"],
                                    "avatarUrl": "/avatar/%s" % hashlib.md5(user["email"].encode()).hexdigest()})  # nosec
        if method == "GET" and path == "/api/search":
            kinds = query.get("type", [])
            text = (query.get("query") or [""])[0].lower()
            tags = query.get("tag", [])
            hits = []
            if not kinds or "dash-folder" in kinds:
                for uid, title in sorted(folders.items(), key=lambda f: f[1]):
                    if text in title.lower() and not tags:
                        hits.append({"id": 0, "uid": uid, "orgId": 1, "title": title, "uri": "db/%s" % slugify(title),
                                     "url": "/dashboards/f/%s/%s" % (uid, slugify(title)), "slug": "",
                                     "type": "dash-folder", "tags": [], "isStarred": False, "sortMeta": 0})
            if not kinds or "dash-db" in kinds:
                for dash in sorted(dashboards, key=lambda d: d["title"].lower()):
                    if text in dash["title"].lower() and all(t in dash["tags"] for t in tags):
                        hits.append(search_hit(dash))
            return self._send(200, hits)
        match = re.fullmatch(r"/api/dashboards/uid/([^/]+)", path)
        if method == "GET" and match:
            for dash in dashboards:
                if dash["uid"] == match.group(1):
                    body = dict(dash["json"], id=dash["id"], uid=dash["uid"])
                    body.setdefault("version", 1)
                    slug = slugify(dash["title"])
                    meta = {"type": "db", "canSave": True, "canEdit": True, "canAdmin": True, "canStar": True,
                            "canDelete": True, "slug": slug, "url": "/d/%s/%s" % (dash["uid"], slug),
                            "expires": "0001-01-01T00:00:00Z", "created": "", "updated": "",
                            "version": body["version"], "isFolder": False, "folderId": 0,
                            "folderUid": dash["folderUid"], "folderTitle": dash["folder"] or "General",
                            "folderUrl": "", "provisioned": True, "provisionedExternalId": dash["relative"]}
                    return self._send(200, {"dashboard": body, "meta": meta})
            return self._send(404, {"message": "Dashboard not found"})
        if method == "GET" and path == "/api/datasources":
            return self._send(200, [public_datasource(ds, False) for ds in datasources])
        match = re.fullmatch(r"/api/datasources/(uid|name)/([^/]+)", path)
        if method == "GET" and match:
            key = "uid" if match.group(1) == "uid" else "name"
            for ds in datasources:
                if ds[key] == urllib.parse.unquote(match.group(2)):
                    return self._send(200, public_datasource(ds, True))
            return self._send(404, {"message": "Data source not found"})
        if method == "GET" and path == "/api/admin/settings":
            return self._send(200, g.cfg.redacted())
        match = re.fullmatch(r"/api/admin/provisioning/(dashboards|datasources)/reload", path)
        if method == "POST" and match:
            try:
                if match.group(1) == "dashboards":
                    g.provision_dashboards()
                else:
                    g.provision_datasources()
            except StandinError as e:
                LOG.write("provisioning", "error", "Failed to reload %s" % match.group(1), error=str(e))
                return self._send(500, {"message": "Failed to reload %s config" % match.group(1),
                                        "error": str(e)})
            return self._send(200, {"message": "%s config reloaded" % match.group(1).capitalize()})
        return self._send(404, {"message": "Not found"})

    def _handle(self, method):
        self._status = 0  # pylint: disable=attribute-defined-outside-init
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        try:
            self._route(method)
        except Exception as e:  # pylint: disable=broad-except
            LOG.write("context", "error", "Request error", error=repr(e))
            self._send(500, {"message": "Internal Server Error"})
        LOG.write("context", "info", "Request Completed", method=method, path=urllib.parse.urlsplit(self.path).path,
                  status=self._status, remote_addr=self.client_address[0])

    def do_GET(self):  # pylint: disable=invalid-name
        self._handle("GET")

    def do_HEAD(self):  # pylint: disable=invalid-name
        self._handle("HEAD")

    def do_POST(self):  # pylint: disable=invalid-name
        self._handle("POST")

    def do_PUT(self):  # pylint: disable=invalid-name
        self._handle("PUT")

    def do_DELETE(self):  # pylint: disable=invalid-name
        self._handle("DELETE")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def split_options(args, with_values):
    """--name=value, --name value, -name value (urfave/cli); cfg:* and the rest as positional."""
    options, rest = {}, []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("-") and arg != "-":
            name, has_value, value = arg.lstrip("-").partition("=")
            if name in with_values and not has_value:
                i += 1
                if i >= len(args):
                    raise StandinError("flag needs an argument: %s" % arg)
                value = args[i]
            options[name] = value if (has_value or name in with_values) else True
        else:
            rest.append(arg)
        i += 1
    return options, rest


def version_line():
    return "Version %s (commit: %s, branch: %s)" % (VERSION, COMMIT, BRANCH)


def server(args):
    options, rest = split_options(args, ("config", "pidfile", "homepath", "packaging", "configOverrides"))
    if options.get("v") or options.get("version"):
        print(version_line())
        return 0
    overrides = [a for a in rest if a.startswith("cfg:")]
    overrides += options.get("configOverrides", "").split()
    try:
        cfg = Config(options.get("config"), options.get("homepath"), overrides)
        LOG.open(cfg.path("paths", "logs"))
        LOG.write("settings", "info", "Starting Grafana STAND-IN", version=VERSION, commit=COMMIT,
                  branch=BRANCH, compiled="standin")
        LOG.write("settings", "info", "Config loaded from", file=cfg.config_file or "")
        for name in cfg.env_overrides:
            LOG.write("settings", "info", "Config overridden from Environment variable", var="%s=*********" % name)
        LOG.write("settings", "info", "Path Home", path=cfg.homepath)
        for key in ("data", "logs", "plugins", "provisioning"):
            LOG.write("settings", "info", "Path %s" % key.capitalize(), path=cfg.path("paths", key))
        protocol = cfg.get("server", "protocol") or "http"
        if protocol not in ("http", "https"):
            raise StandinError("stand-in: protocol %s is not supported (http and https only)" % protocol)
        if protocol == "https" and not (cfg.get("server", "cert_file") and cfg.get("server", "cert_key")):
            raise StandinError("cert_file cannot be empty when using HTTPS")
        try:
            port = int(cfg.get("server", "http_port"))
        except ValueError as e:
            raise StandinError("invalid http_port %r" % cfg.get("server", "http_port")) from e
        os.makedirs(cfg.data, exist_ok=True)
        init_state(cfg)
        grafana = Grafana(cfg)
        grafana.provision_all()
        Handler.grafana = grafana
        address = cfg.get("server", "http_addr")
        try:
            httpd = Server((address, port), Handler)
        except OSError as e:
            raise StandinError("failed to open listener on address %s:%d: %s" % (address, port, e)) from e
        if protocol == "https":
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            try:
                context.load_cert_chain(cfg.path("server", "cert_file"), cfg.path("server", "cert_key"))
            except (OSError, ssl.SSLError) as e:
                raise StandinError("could not load the TLS certificate and key: %s" % e) from e
            httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    except StandinError as e:
        LOG.write("server", "error", "Failed to start grafana", error=str(e))
        sys.stderr.write("Failed to start grafana. error: %s\n" % e)
        return 1
    pidfile = options.get("pidfile")
    if pidfile:
        os.makedirs(os.path.dirname(os.path.abspath(pidfile)), exist_ok=True)
        with open(pidfile, "w", encoding="utf-8") as f:
            f.write("%d\n" % os.getpid())

    def stop(signum, _frame):
        LOG.write("server", "info", "Shutdown started", reason="System signal: %s" % signal.Signals(signum).name)
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    def hup(_signum, _frame):
        # Grafana reopens its log files on SIGHUP (log.Reload); it reloads nothing else.
        LOG.reopen()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, hup)
    LOG.write("http.server", "info", "HTTP Server Listen", address="%s:%d" % (address or "[::]", port),
              protocol=protocol, subUrl="", socket="")
    try:
        httpd.serve_forever()
    finally:
        httpd.server_close()
        if pidfile:
            try:
                os.unlink(pidfile)
            except OSError:
                pass
    LOG.write("server", "info", "stopped", reason="System signal")
    return 0


def cli(args):
    options, rest = split_options(args, ("config", "homepath", "configOverrides", "pluginsDir", "repo",
                                         "pluginUrl"))
    overrides = [a for a in rest if a.startswith("cfg:")] + options.get("configOverrides", "").split()
    rest = [a for a in rest if not a.startswith("cfg:")]
    if options.get("v") or options.get("version"):
        print("Grafana CLI version %s" % VERSION)
        return 0
    if rest[:1] == ["plugins"]:
        if rest[1:2] in (["ls"], ["list"]):
            print("No local plugins found")
            return 0
        sys.stderr.write("Error: ✗ stand-in: no plugin installs or updates (the Grafana STAND-IN "
                         "package cannot fetch or run plugins): %s\n" % " ".join(rest[1:]))
        return 1
    if rest[:2] == ["admin", "reset-admin-password"]:
        if options.get("password-from-stdin"):
            password = sys.stdin.readline().rstrip("\r\n")
        elif len(rest) == 3:
            password = rest[2]
        else:
            sys.stderr.write("Error: ✗ missing arguments: new password\n")
            return 1
        if len(password) < 4:
            sys.stderr.write("Error: ✗ new password is too short\n")
            return 1
        try:
            cfg = Config(options.get("config"), options.get("homepath"), overrides)
            state = read_state(cfg.state_file)
            user = None
            if state:
                user = next((u for u in state["users"] if u["id"] == 1), None)
            if user is None:
                raise StandinError("could not read user from database. Error: user not found (%s)" % cfg.state_file)
            user["salt"] = new_salt()
            user["password"] = encode_password(password, user["salt"])
            user["updated"] = now_iso()
            write_state(cfg.state_file, state)
        except (StandinError, OSError) as e:
            sys.stderr.write("Error: ✗ %s\n" % e)
            return 1
        print("")
        print("Admin password changed successfully ✔")
        print("")
        return 0
    sys.stderr.write("Error: ✗ stand-in: unsupported grafana cli command: %s\n" % " ".join(rest))
    return 1


def main(argv):
    if not argv or argv[0] in ("-h", "--help", "help"):
        print("Grafana STAND-IN (llmops.vllm_stack tests)\n\nUsage: grafana [-v] server|cli ...")
        return 0 if argv else 1
    if argv[0] in ("-v", "--version"):
        print("grafana version %s" % VERSION)
        return 0
    if argv[0] == "server":
        return server(argv[1:])
    if argv[0] == "cli":
        return cli(argv[1:])
    sys.stderr.write("stand-in: unknown command %s (server, cli)\n" % argv[0])
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
