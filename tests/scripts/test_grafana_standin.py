# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of the Grafana STAND-IN (tests/images/grafana-standin).

The program runs straight from its source (with @VERSION@ replaced the way
tests/platform/grafana-standin-repo.sh does) in a temporary folder, on a free
loopback port; nothing is installed. The last test builds the repository into
a temporary folder and checks its index and signature.

Run: .venv/bin/python -m pytest -q tests/scripts/test_grafana_standin.py
"""

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SRC = os.path.join(REPO, "tests", "images", "grafana-standin")
BUILDER = os.path.join(REPO, "tests", "platform", "grafana-standin-repo.sh")
VERSION = "12.3.0"

PROMETHEUS = """\
apiVersion: 1
datasources:
  - name: Prometheus
    type: prometheus
    uid: prom
    access: proxy
    url: http://prometheus.test:9090
    isDefault: true
    basicAuth: true
    basicAuthUser: grafana
    jsonData:
      httpMethod: POST
    secureJsonData:
      basicAuthPassword: scrape-secret
"""
PROVIDER = """\
apiVersion: 1
providers:
  - name: vllm
    type: file
    folder: vLLM
    folderUid: vllm-folder
    allowUiUpdates: false
    disableDeletion: true
    updateIntervalSeconds: 30
    options:
      path: {path}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Grafana:
    """A stand-in home: grafana.ini, provisioning, data and logs under tmp_path."""

    def __init__(self, tmp_path):
        self.tmp = tmp_path
        self.program = tmp_path / "grafana"
        with open(os.path.join(SRC, "grafana_standin.py"), encoding="utf-8") as f:
            self.program.write_text(f.read().replace("@VERSION@", VERSION))
        self.port = free_port()
        self.prov = tmp_path / "provisioning"
        self.dashboards = tmp_path / "dashboards"
        for d in ("datasources", "dashboards", "plugins", "alerting"):
            (self.prov / d).mkdir(parents=True)
        self.dashboards.mkdir()
        self.ini = tmp_path / "grafana.ini"
        self.write_ini("s3cret-first")
        self.proc = None
        self.stderr = None

    def write_ini(self, password, extra=""):
        self.ini.write_text(
            "[server]\nhttp_addr = 127.0.0.1\nhttp_port = %d\n\n"
            "[security]\nadmin_user = admin\nadmin_password = %s\n%s" % (self.port, password, extra))

    def args(self):
        return ["--config=%s" % self.ini, "--homepath=%s" % self.tmp, "--packaging=deb",
                "cfg:default.paths.data=%s" % (self.tmp / "data"),
                "cfg:default.paths.logs=%s" % (self.tmp / "log"),
                "cfg:default.paths.plugins=%s" % (self.tmp / "plugins"),
                "cfg:default.paths.provisioning=%s" % self.prov]

    def provision(self, name, text):
        (self.prov / name).write_text(text)

    def dashboard(self, relative, uid, title, tags=()):
        path = self.dashboards / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"uid": uid, "title": title, "tags": list(tags), "panels": []}))
        return path

    def start(self, env=None, wait=True):
        self.stderr = open(self.tmp / "stderr.log", "ab")  # pylint: disable=consider-using-with
        environment = dict(os.environ)
        environment.update(env or {})
        self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, str(self.program), "server", *self.args(),
             "--pidfile=%s" % (self.tmp / "run" / "grafana-server.pid")],
            stdout=subprocess.DEVNULL, stderr=self.stderr, env=environment)
        if wait:
            deadline = time.time() + 20
            while time.time() < deadline:
                assert self.proc.poll() is None, self.log()
                try:
                    if self.get("/api/health", auth=None)[0] == 200:
                        return
                except OSError:
                    time.sleep(0.05)
            raise AssertionError("stand-in did not come up: " + self.log())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        if self.stderr:
            self.stderr.close()
        return self.proc.returncode if self.proc else None

    def log(self):
        path = self.tmp / "stderr.log"
        return path.read_text() if path.exists() else ""

    def request(self, method, path, auth=("admin", "s3cret-first")):
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port, path), method=method)
        if auth:
            req.add_header("Authorization", "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode())
        try:
            with urllib.request.urlopen(req, timeout=10) as r:  # nosec - loopback test server
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def get(self, path, auth=("admin", "s3cret-first")):
        return self.request("GET", path, auth)

    def post(self, path, auth=("admin", "s3cret-first")):
        return self.request("POST", path, auth)

    def cli(self, *args, stdin=None):
        return subprocess.run(
            [sys.executable, str(self.program), "cli", "--homepath", str(self.tmp), "--config", str(self.ini),
             "--configOverrides", "cfg:default.paths.data=%s" % (self.tmp / "data"), *args],
            input=stdin, capture_output=True, text=True, timeout=30, check=False)


@pytest.fixture(name="grafana")
def fixture_grafana(tmp_path):
    g = Grafana(tmp_path)
    yield g
    g.stop()


def test_source_says_it_is_a_stand_in_and_has_no_shebang():
    with open(os.path.join(SRC, "grafana_standin.py"), encoding="utf-8") as f:
        text = f.read()
    assert not text.startswith("#!")
    assert "TEST STAND-IN (llmops.vllm_stack tests)" in text[:400]


def test_health_and_version(grafana):
    grafana.start()
    assert grafana.get("/api/health", auth=None) == (200, {"commit": "standin", "database": "ok", "version": VERSION})
    r = subprocess.run([sys.executable, str(grafana.program), "server", "-v"], capture_output=True, text=True,
                       check=False)
    assert r.stdout == "Version %s (commit: standin, branch: HEAD)\n" % VERSION
    assert (grafana.tmp / "run" / "grafana-server.pid").read_text().strip() == str(grafana.proc.pid)
    assert grafana.stop() == 0
    assert not (grafana.tmp / "run" / "grafana-server.pid").exists()
    log = (grafana.tmp / "log" / "grafana.log").read_text()
    assert 'msg="Request Completed" method=GET path=/api/health status=200' in log
    assert "Authorization" not in log


def test_unauthorized(grafana):
    grafana.start()
    assert grafana.get("/api/search", auth=None) == (401, {"message": "Unauthorized"})
    assert grafana.get("/api/user", auth=("admin", "wrong"))[0] == 401


def test_search_after_provisioning(grafana):
    grafana.provision("datasources/prometheus.yaml", PROMETHEUS)
    grafana.provision("dashboards/vllm.yaml", PROVIDER.format(path=grafana.dashboards))
    grafana.dashboard("fleet.json", "vllm-fleet", "vLLM fleet", ["vllm"])
    grafana.dashboard("nested/gpu.json", "vllm-gpu", "GPU")
    grafana.start()
    status, hits = grafana.get("/api/search?type=dash-db")
    assert status == 200
    assert [(h["uid"], h["title"], h["type"], h["folderTitle"], h["folderUid"]) for h in hits] == [
        ("vllm-gpu", "GPU", "dash-db", "vLLM", "vllm-folder"),
        ("vllm-fleet", "vLLM fleet", "dash-db", "vLLM", "vllm-folder")]
    assert hits[1]["tags"] == ["vllm"] and hits[1]["url"] == "/d/vllm-fleet/vllm-fleet"
    status, body = grafana.get("/api/dashboards/uid/vllm-fleet")
    assert status == 200 and body["dashboard"]["title"] == "vLLM fleet" and body["meta"]["provisioned"]
    assert grafana.get("/api/dashboards/uid/nope")[0] == 404


def test_duplicate_uid_is_logged_like_grafana(grafana):
    grafana.provision("dashboards/vllm.yaml", PROVIDER.format(path=grafana.dashboards))
    grafana.dashboard("a.json", "same", "First")
    grafana.dashboard("b.json", "same", "Second")
    grafana.start()
    assert [h["title"] for h in grafana.get("/api/search?type=dash-db")[1]] == ["First"]
    assert 'msg="the same UID is used more than once" orgId=1 uid=same times=2' in grafana.log()


@pytest.mark.parametrize("text, message", [
    ("apiVersion: 1\ndatasources:\n  - name: P\n    type: prometheus\n    url: not a url\n", "is not a URL"),
    ("apiVersion: 1\ndatasources:\n  - type: prometheus\n    url: http://p:9090\n", "has no name"),
    ("datasources: []\n", "apiVersion must be 1"),
    ("apiVersion: 1\ndatasources: [\n", "could not parse provisioning config file"),
    ("apiVersion: 1\ndatasources:\n  - {name: A, type: prometheus, url: 'http://a:1', isDefault: true}\n"
     "  - {name: B, type: prometheus, url: 'http://b:1', isDefault: true}\n", "Only one datasource per organization"),
])
def test_malformed_datasource_refuses_start_and_names_the_file(grafana, text, message):
    grafana.provision("datasources/broken.yaml", text)
    grafana.start(wait=False)
    assert grafana.proc.wait(timeout=20) == 1
    log = grafana.log()
    assert "Failed to start grafana. error: Datasource provisioning error: " in log
    assert message in log
    if "per organization" not in message:
        assert str(grafana.prov / "datasources" / "broken.yaml") in log


def test_dashboard_without_title_refuses_start(grafana):
    grafana.provision("dashboards/vllm.yaml", PROVIDER.format(path=grafana.dashboards))
    (grafana.dashboards / "bad.json").write_text('{"uid": "x"}')
    grafana.start(wait=False)
    assert grafana.proc.wait(timeout=20) == 1
    assert "Dashboard provisioning error: %s: Dashboard title cannot be empty" % (grafana.dashboards / "bad.json") \
        in grafana.log()


def test_reload_picks_up_new_and_drops_deleted_dashboards(grafana):
    grafana.provision("dashboards/vllm.yaml", PROVIDER.format(path=grafana.dashboards))
    old = grafana.dashboard("old.json", "old", "Old")
    grafana.start()
    assert [h["uid"] for h in grafana.get("/api/search?type=dash-db")[1]] == ["old"]
    old.unlink()
    grafana.dashboard("new.json", "new", "New")
    assert grafana.post("/api/admin/provisioning/dashboards/reload") == (200, {"message": "Dashboards config reloaded"})
    assert [h["uid"] for h in grafana.get("/api/search?type=dash-db")[1]] == ["new"]
    # A malformed file: 500, and the old state stays.
    (grafana.dashboards / "bad.json").write_text('{"uid": "bad"}')
    status, body = grafana.post("/api/admin/provisioning/dashboards/reload")
    assert status == 500 and "Dashboard title cannot be empty" in body["error"]
    assert [h["uid"] for h in grafana.get("/api/search?type=dash-db")[1]] == ["new"]
    assert grafana.post("/api/admin/provisioning/dashboards/reload", auth=None)[0] == 401


def test_datasource_reload(grafana):
    grafana.start()
    assert grafana.get("/api/datasources") == (200, [])
    grafana.provision("datasources/prometheus.yaml", PROMETHEUS)
    assert grafana.post("/api/admin/provisioning/datasources/reload") == (200, {"message": "Datasources config reloaded"})
    assert [d["uid"] for d in grafana.get("/api/datasources")[1]] == ["prom"]
    grafana.provision("datasources/broken.yaml", "apiVersion: 2\n")
    assert grafana.post("/api/admin/provisioning/datasources/reload")[0] == 500
    assert [d["uid"] for d in grafana.get("/api/datasources")[1]] == ["prom"]


def test_ini_password_only_on_first_start(grafana):
    grafana.start()
    assert grafana.get("/api/user")[0] == 200
    grafana.stop()
    grafana.write_ini("changed-in-ini")
    grafana.start()
    assert grafana.get("/api/user", auth=("admin", "changed-in-ini"))[0] == 401
    status, user = grafana.get("/api/user")
    assert status == 200 and user["login"] == "admin" and user["isGrafanaAdmin"] is True
    state = json.loads((grafana.tmp / "data" / "grafana.db").read_text())
    assert "s3cret-first" not in json.dumps(state) and len(state["users"][0]["password"]) == 100


@pytest.mark.parametrize("form", ["argv", "stdin"])
def test_reset_admin_password(grafana, form):
    grafana.start()
    if form == "argv":
        r = grafana.cli("admin", "reset-admin-password", "n3w-pass")
    else:
        r = grafana.cli("admin", "reset-admin-password", "--password-from-stdin", stdin="n3w-pass\n")
    assert r.returncode == 0, r.stderr
    assert "Admin password changed successfully ✔" in r.stdout
    # The running server reads the state per request, as Grafana reads its database.
    assert grafana.get("/api/user", auth=("admin", "n3w-pass"))[0] == 200
    assert grafana.get("/api/user")[0] == 401


def test_reset_without_a_database_fails(grafana):
    r = grafana.cli("admin", "reset-admin-password", "n3w-pass")
    assert r.returncode == 1 and "user not found" in r.stderr


def test_plugins(grafana):
    assert grafana.cli("plugins", "ls").returncode == 0
    r = grafana.cli("plugins", "install", "grafana-clock-panel")
    assert r.returncode == 1 and "stand-in: no plugin installs" in r.stderr


def test_secrets_masked_in_settings_not_in_datasources(grafana, monkeypatch):
    monkeypatch.setenv("SECRET_FROM_ENV", "env-secret")
    grafana.write_ini("s3cret-first", "secret_key = ${SECRET_FROM_ENV}\n\n[database]\nurl = mysql://u:dbpass@db:3306/g\n")
    grafana.provision("datasources/prometheus.yaml", PROMETHEUS)
    grafana.start(env={"GF_SERVER_DOMAIN": "grafana.test"})
    status, settings = grafana.get("/api/admin/settings")
    assert status == 200
    assert settings["security"]["admin_password"] == "*********"
    assert settings["security"]["secret_key"] == "*********"
    assert settings["database"]["url"] == "mysql://u:*********@db:3306/g"
    assert settings["server"]["domain"] == "grafana.test"
    assert settings["server"]["http_port"] == str(grafana.port)
    assert "env-secret" not in json.dumps(settings) and "s3cret-first" not in json.dumps(settings)
    listed = grafana.get("/api/datasources")[1]
    assert "scrape-secret" not in json.dumps(listed)
    status, ds = grafana.get("/api/datasources/uid/prom")
    assert status == 200 and ds["secureJsonFields"] == {"basicAuthPassword": True}
    assert "secureJsonData" not in ds and "scrape-secret" not in json.dumps(ds)
    assert ds["jsonData"] == {"httpMethod": "POST"} and ds["url"] == "http://prometheus.test:9090"


def test_sighup_does_not_reload_or_stop(grafana):
    grafana.provision("dashboards/vllm.yaml", PROVIDER.format(path=grafana.dashboards))
    grafana.dashboard("a.json", "a", "A")
    grafana.start()
    grafana.dashboard("b.json", "b", "B")
    grafana.proc.send_signal(1)
    time.sleep(0.5)
    assert grafana.proc.poll() is None
    assert [h["uid"] for h in grafana.get("/api/search?type=dash-db")[1]] == ["a"]


@pytest.mark.skipif(not all(shutil.which(t) for t in ("dpkg-deb", "apt-ftparchive", "gpg", "gpgv")),
                    reason="dpkg-deb, apt-ftparchive, gpg or gpgv missing (tests/platform/host-tools.sh)")
def test_repository(tmp_path):
    out = tmp_path / "repo"
    r = subprocess.run([BUILDER, str(out)], capture_output=True, text=True, timeout=300, check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    packages = (out / "dists/stable/main/binary-amd64/Packages").read_text()
    stanzas = [dict(line.split(": ", 1) for line in s.splitlines() if line and not line.startswith(" "))
               for s in packages.strip().split("\n\n")]
    assert sorted((s["Package"], s["Version"]) for s in stanzas) == [("grafana", "12.2.1"), ("grafana", "12.3.0")]
    for s in stanzas:
        assert s["Description"].startswith("STAND-IN for llmops.vllm_stack tests:")
        assert s["Depends"].startswith("adduser, libfontconfig1, musl")
        assert s["Filename"] == "pool/main/g/grafana/grafana_%s_amd64.deb" % s["Version"]
        assert (out / s["Filename"]).is_file()
    keyring = tmp_path / "key.gpg"
    with open(out / "gpg.key", "rb") as key, open(keyring, "wb") as dearmored:
        subprocess.run(["gpg", "--dearmor"], stdin=key, stdout=dearmored, check=True)
    for signed in (["dists/stable/InRelease"], ["dists/stable/Release.gpg", "dists/stable/Release"]):
        v = subprocess.run(["gpgv", "--keyring", str(keyring), *[str(out / p) for p in signed]],
                           capture_output=True, text=True, check=False)
        assert v.returncode == 0, v.stderr
    contents = subprocess.run(["dpkg-deb", "-c", str(out / "pool/main/g/grafana/grafana_12.3.0_amd64.deb")],
                              capture_output=True, text=True, check=True).stdout
    for path in ("./usr/share/grafana/bin/grafana", "./usr/sbin/grafana-server", "./usr/sbin/grafana-cli",
                 "./etc/grafana/grafana.ini", "./etc/default/grafana-server",
                 "./lib/systemd/system/grafana-server.service", "./etc/grafana/provisioning/dashboards/"):
        assert path in contents
    program = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(out / "pool/main/g/grafana/grafana_12.3.0_amd64.deb")],
                             capture_output=True, check=True).stdout
    assert b"#!/usr/bin/python3\n" in program and b'VERSION = "12.3.0"' in program
    rerun = subprocess.run([BUILDER, str(out)], capture_output=True, text=True, timeout=60, check=False)
    assert "is current" in rerun.stdout
