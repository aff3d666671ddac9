# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of the NVIDIA STAND-IN scripts (tests/images/nvidia-standin).

They run the source scripts directly on this machine, with their fixed paths
moved under a temporary directory by NVIDIA_STANDIN_ROOT and the @VERSION@
placeholder replaced the way tests/platform/nvidia-standin-repo.sh does.
Nothing is built or installed.

Run: .venv/bin/python -m pytest -q tests/scripts/test_nvidia_standin.py
"""

import json
import os
import re
import subprocess
import time

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SRC = os.path.join(REPO, "tests", "images", "nvidia-standin")

V580 = "580.95.05"
V575 = "575.57.08"
GPU0 = ("0", "GPU-5b6e9a2c-1f0d-4c1e-9a51-0d7a1e2b3c40", "NVIDIA H200", "143771", "00000000:18:00.0")
GPU1 = ("1", "GPU-0c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f", "NVIDIA H200", "143771", "00000000:2A:00.0")
OPEN_VERSION_FILE = (
    "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  {v}  Release Build  "
    "(dvs-builder@U22-I3-AF03-09-1)  Thu Sep 18 21:22:06 UTC 2025\n"
    "GCC version:  gcc version 12.2.0 (Debian 12.2.0-14+deb12u1) \n"
)
PROPRIETARY_VERSION_FILE = (
    "NVRM version: NVIDIA UNIX x86_64 Kernel Module  {v}  Thu Sep 18 20:46:14 UTC 2025\n"
    "GCC version:  gcc version 12.2.0 (Debian 12.2.0-14+deb12u1) \n"
)
NOT_LOADED = (
    "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
    "Make sure that the latest NVIDIA driver is installed and running.\n\n"
)
SHELL_SCRIPTS = [
    "driver/nvidia-smi", "driver/nvidia-standin-load-module", "driver/nvidia-persistenced",
    "driver/nv-fabricmanager", "driver/mokutil", "driver/kernel-module.postinst", "driver/kernel-module.postrm",
    "toolkit/nvidia-ctk", "toolkit/nvidia-container-runtime", "toolkit/nvidia-container-runtime-hook",
    "toolkit/nvidia-container-cli",
]


class Standin:
    """A temporary root for the stand-ins' state files and rendered scripts."""

    def __init__(self, tmp_path):
        self.root = tmp_path / "root"
        self.bin = tmp_path / "bin"
        self.root.mkdir()
        self.bin.mkdir()

    def path(self, relative):
        return self.root / relative.lstrip("/")

    def write(self, relative, text):
        target = self.path(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        return target

    def gpus(self, *gpus):
        self.write("/etc/nvidia-standin/gpus.csv", "".join(",".join(g) + "\n" for g in gpus))

    def load(self, version, flavour="open"):
        template = OPEN_VERSION_FILE if flavour == "open" else PROPRIETARY_VERSION_FILE
        self.write("/run/nvidia-standin/proc-driver-nvidia-version", template.format(v=version))

    def script(self, source, **values):
        """The source script with @KEY@ replaced, as the builder renders it."""
        with open(os.path.join(SRC, source), encoding="utf-8") as f:
            text = f.read()
        for key, value in values.items():
            text = text.replace("@%s@" % key, value)
        assert not re.search(r"@[A-Z_]+@", text), "placeholder left in " + source
        target = self.bin / ("%s-%s" % (os.path.basename(source), "-".join(values.values()) or "plain"))
        target.write_text(text)
        target.chmod(0o755)
        return str(target)

    def run(self, script, *args, path=None, env=None):
        environment = {"PATH": path or os.environ["PATH"], "NVIDIA_STANDIN_ROOT": str(self.root)}
        environment.update(env or {})
        return subprocess.run(["/bin/sh", script, *args], capture_output=True, text=True, env=environment,
                              timeout=30, check=False)

    def smi(self, *args, version=V580):
        # PATH leads nowhere: nvidia-smi must get by on shell builtins.
        return self.run(self.script("driver/nvidia-smi", VERSION=version), *args, path="/nonexistent")


@pytest.fixture(name="standin")
def fixture_standin(tmp_path):
    s = Standin(tmp_path)
    s.gpus(GPU0, GPU1)
    return s


# --------------------------------------------------------------------------
# Every source file says what it is
# --------------------------------------------------------------------------
@pytest.mark.parametrize("source", SHELL_SCRIPTS)
def test_every_script_says_it_is_a_stand_in(source):
    with open(os.path.join(SRC, source), encoding="utf-8") as f:
        first, second = f.readline(), f.readline()
    assert first == "#!/bin/sh\n"
    assert second.startswith("# TEST STAND-IN (llmops.vllm_stack tests)")


@pytest.mark.parametrize("source", SHELL_SCRIPTS)
def test_scripts_parse_as_posix_sh(source):
    assert subprocess.run(["/bin/sh", "-n", os.path.join(SRC, source)], check=False).returncode == 0


# --------------------------------------------------------------------------
# nvidia-smi
# --------------------------------------------------------------------------
def test_smi_without_a_loaded_module(standin):
    r = standin.smi("-L")
    assert (r.returncode, r.stdout) == (9, NOT_LOADED)
    assert standin.smi().returncode == 9


def test_smi_version_mismatch(standin):
    standin.load(V575)
    r = standin.smi("-L")
    assert r.returncode == 18
    assert r.stdout == "Failed to initialize NVML: Driver/library version mismatch\nNVML library version: %s\n" % V580


@pytest.mark.parametrize("flavour", ["open", "proprietary"])
def test_smi_list(standin, flavour):
    standin.load(V580, flavour)
    r = standin.smi("-L")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout == (
        "GPU 0: NVIDIA H200 (UUID: GPU-5b6e9a2c-1f0d-4c1e-9a51-0d7a1e2b3c40)\n"
        "GPU 1: NVIDIA H200 (UUID: GPU-0c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f)\n"
    )


@pytest.mark.parametrize("args, expected", [
    (["--query-gpu=index,uuid,name,memory.total", "--format=csv"],
     "index, uuid, name, memory.total [MiB]\n"
     "0, GPU-5b6e9a2c-1f0d-4c1e-9a51-0d7a1e2b3c40, NVIDIA H200, 143771 MiB\n"
     "1, GPU-0c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f, NVIDIA H200, 143771 MiB\n"),
    (["--query-gpu=name,memory.total", "--format=csv,noheader"],
     "NVIDIA H200, 143771 MiB\nNVIDIA H200, 143771 MiB\n"),
    (["--query-gpu=memory.total,index", "--format=csv,noheader,nounits"], "143771, 0\n143771, 1\n"),
    (["--query-gpu=memory.total", "--format=csv,nounits"], "memory.total [MiB]\n143771\n143771\n"),
    (["--query-gpu", "driver_version,count,pci.bus_id", "--format", "csv"],
     "driver_version, count, pci.bus_id\n%s, 2, 00000000:18:00.0\n%s, 2, 00000000:2A:00.0\n" % (V580, V580)),
    (["--query-gpu=index,persistence_mode,compute_cap", "--format=csv,noheader", "-i", "1"], "1, Enabled, 9.0\n"),
    (["-i", "0", "--query-gpu=count,uuid", "--format=csv,noheader"], "2, %s\n" % GPU0[1]),
    (["--id=%s" % GPU1[1], "--query-gpu=index", "--format=csv,noheader"], "1\n"),
])
def test_smi_query_gpu(standin, args, expected):
    standin.load(V580)
    r = standin.smi(*args)
    assert (r.returncode, r.stdout) == (0, expected), r.stderr


def test_smi_unknown_field(standin):
    standin.load(V580)
    r = standin.smi("--query-gpu=index,xyz", "--format=csv")
    assert (r.returncode, r.stdout) == (2, 'Field "xyz" is not a valid field to query.\n')


def test_smi_no_gpus(standin):
    standin.load(V580)
    standin.write("/etc/nvidia-standin/gpus.csv", "")
    r = standin.smi("-L")
    assert (r.returncode, r.stdout) == (6, "No devices were found\n")


def test_smi_table(standin):
    standin.load(V580)
    r = standin.smi()
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[:11] == [
        "+-----------------------------------------------------------------------------------------+",
        "| NVIDIA-SMI 580.95.05              Driver Version: 580.95.05      CUDA Version: 13.0     |",
        "+-----------------------------------------+------------------------+----------------------+",
        "| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |",
        "| Fan  Temp   Perf          Pwr:Usage/Cap |           Memory-Usage | GPU-Util  Compute M. |",
        "|                                         |                        |               MIG M. |",
        "|=========================================+========================+======================|",
        "|   0  NVIDIA H200                    On  |   00000000:18:00.0 Off |                    0 |",
        "| N/A   30C    P0             75W /  700W |       0MiB / 143771MiB |      0%      Default |",
        "|                                         |                        |             Disabled |",
        "+-----------------------------------------+------------------------+----------------------+",
    ]
    assert lines[11].startswith("|   1  NVIDIA H200 ")
    assert "|  No running processes found" in r.stdout
    assert {len(line) for line in lines if line} == {91}


def test_smi_table_of_the_575_branch(standin):
    standin.load(V575, "proprietary")
    r = standin.smi(version=V575)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[1] == \
        "| NVIDIA-SMI 575.57.08              Driver Version: 575.57.08      CUDA Version: 12.9     |"


def test_smi_version_and_help(standin):
    r = standin.smi("--version")
    assert r.returncode == 0 and "NVIDIA-SMI version  : %s\n" % V580 in r.stdout
    assert standin.smi("-h").returncode == 0


# --------------------------------------------------------------------------
# Kernel packages' maintainer scripts and the module loader
# --------------------------------------------------------------------------
def test_kernel_postinst_and_postrm(standin):
    values = {"PACKAGE": "nvidia-kernel-open-dkms", "VERSION": V580, "FLAVOUR": "open"}
    assert standin.run(standin.script("driver/kernel-module.postinst", **values), "configure").returncode == 0
    record = standin.path("/var/lib/nvidia-standin/installed-module")
    assert record.read_text() == "%s open\n" % V580
    assert standin.run(standin.script("driver/kernel-module.postrm", **values), "upgrade").returncode == 0
    assert record.exists()
    assert standin.run(standin.script("driver/kernel-module.postrm", **values), "remove").returncode == 0
    assert not record.exists()


@pytest.mark.parametrize("flavour, template", [("open", OPEN_VERSION_FILE), ("proprietary", PROPRIETARY_VERSION_FILE)])
def test_load_module(standin, flavour, template):
    loader = standin.script("driver/nvidia-standin-load-module")
    proc = standin.path("/run/nvidia-standin/proc-driver-nvidia-version")
    nodes = ["nvidiactl", "nvidia-uvm", "nvidia0", "nvidia1"]
    if os.geteuid() != 0:
        # mknod needs root: existing nodes are kept, so plain files stand in.
        for node in nodes:
            standin.write("/dev/" + node, "")
    standin.write("/var/lib/nvidia-standin/installed-module", "%s %s\n" % (V575, flavour))
    r = standin.run(loader)
    assert r.returncode == 0, r.stderr
    assert proc.read_text() == template.format(v=V575)
    assert sorted(os.listdir(standin.path("/dev"))) == sorted(nodes)
    if os.geteuid() == 0:
        devices = {n: os.stat(standin.path("/dev/" + n)).st_rdev for n in nodes}
        assert {n: (os.major(d), os.minor(d)) for n, d in devices.items()} == {
            "nvidiactl": (195, 255), "nvidia-uvm": (235, 0), "nvidia0": (195, 0), "nvidia1": (195, 1)}
    # What nvidia-smi of the other branch then says, and of the same one.
    assert standin.smi("-L").returncode == 18
    assert standin.smi("-L", version=V575).returncode == 0
    assert standin.run(loader).returncode == 0  # again: nodes exist, kept

    standin.path("/var/lib/nvidia-standin/installed-module").unlink()
    assert standin.run(loader).returncode == 0
    assert not proc.exists()
    assert standin.smi("-L", version=V575).returncode == 9


# --------------------------------------------------------------------------
# nvidia-ctk
# --------------------------------------------------------------------------
def ctk(standin, *args, version="1.18.0"):
    return standin.run(standin.script("toolkit/nvidia-ctk", VERSION=version), *args)


def test_ctk_version(standin):
    r = ctk(standin, "--version", version="1.17.8")
    assert (r.returncode, r.stdout) == (0, "NVIDIA Container Toolkit CLI version 1.17.8\ncommit: standin\n")


def test_ctk_generate_needs_the_module(standin):
    out = standin.path("/var/run/cdi/nvidia.yaml")
    r = ctk(standin, "cdi", "generate", "--output=%s" % out)
    assert r.returncode == 1
    assert "ERROR" in r.stderr and "failed to initialize NVML: ERROR_LIBRARY_NOT_FOUND" in r.stderr
    assert not out.exists()


@pytest.mark.parametrize("output_args", [["--output={out}"], ["--output", "{out}", "--format=yaml"], []])
def test_ctk_generate(standin, output_args):
    standin.load(V580)
    out = standin.path("/var/run/cdi/nvidia.yaml")
    r = ctk(standin, "cdi", "generate", *[a.format(out=out) for a in output_args])
    assert r.returncode == 0, r.stderr
    assert "INFO[0000] Generated CDI spec with version 0.5.0" in r.stderr
    if output_args:
        assert r.stdout == ""
        text = out.read_text()
        assert oct(out.stat().st_mode & 0o777) == "0o644"
        assert os.listdir(out.parent) == ["nvidia.yaml"]  # no temp file left
    else:
        assert not out.exists()
        text = r.stdout
    spec = yaml.safe_load(text)
    assert spec["cdiVersion"] == "0.5.0"
    assert spec["kind"] == "nvidia.com/gpu"
    devices = {d["name"]: d["containerEdits"]["deviceNodes"] for d in spec["devices"]}
    assert list(devices) == ["0", GPU0[1], "1", GPU1[1], "all"]
    assert devices["0"] == devices[GPU0[1]] == [{"path": "/dev/nvidia0"}]
    assert devices["1"] == devices[GPU1[1]] == [{"path": "/dev/nvidia1"}]
    assert devices["all"] == [{"path": "/dev/nvidia0"}, {"path": "/dev/nvidia1"}]
    edits = spec["containerEdits"]
    assert edits["env"] == ["NVIDIA_VISIBLE_DEVICES=void"]
    assert edits["deviceNodes"] == [{"path": "/dev/nvidiactl"}, {"path": "/dev/nvidia-uvm"}]
    options = ["ro", "nosuid", "nodev", "bind"]
    assert edits["mounts"] == [
        {"hostPath": "/usr/bin/nvidia-smi", "containerPath": "/usr/bin/nvidia-smi", "options": options},
        {"hostPath": str(standin.path("/etc/nvidia-standin")), "containerPath": "/etc/nvidia-standin", "options": options},
        {"hostPath": str(standin.path("/run/nvidia-standin")), "containerPath": "/run/nvidia-standin", "options": options},
    ]


def test_ctk_generate_bad_flag(standin):
    standin.load(V580)
    r = ctk(standin, "cdi", "generate", "--bogus")
    assert r.returncode == 1 and "flag provided but not defined: --bogus" in r.stderr


def test_ctk_list(standin):
    r = ctk(standin, "cdi", "list")
    assert (r.returncode, r.stdout) == (0, "")
    assert "INFO[0000] Found 0 CDI devices" in r.stderr

    standin.load(V580)
    assert ctk(standin, "cdi", "generate", "--output=%s" % standin.path("/var/run/cdi/nvidia.yaml")).returncode == 0
    other = {"cdiVersion": "0.6.0", "kind": "example.com/fpga",
             "devices": [{"name": "f0", "containerEdits": {"deviceNodes": [{"path": "/dev/fpga0"}]}}]}
    standin.write("/etc/cdi/fpga.json", json.dumps(other, indent=2))
    r = ctk(standin, "cdi", "list")
    assert r.returncode == 0, r.stderr
    assert "INFO[0000] Found 6 CDI devices" in r.stderr
    assert r.stdout == (
        "example.com/fpga=f0\n"
        "nvidia.com/gpu=0\nnvidia.com/gpu=%s\nnvidia.com/gpu=1\nnvidia.com/gpu=%s\nnvidia.com/gpu=all\n" % (GPU0[1], GPU1[1])
    )


def test_ctk_runtime_configure_is_not_implemented(standin):
    r = ctk(standin, "runtime", "configure", "--runtime=docker")
    assert r.returncode == 2 and "not implemented in the stand-in" in r.stderr


# --------------------------------------------------------------------------
# The other toolkit commands
# --------------------------------------------------------------------------
def test_container_cli(standin):
    cli = standin.script("toolkit/nvidia-container-cli", VERSION="1.17.8")
    r = standin.run(cli, "--version")
    assert r.returncode == 0 and r.stdout.startswith("cli-version: 1.17.8\n")
    assert standin.run(cli, "info").returncode == 1
    standin.load(V580, "proprietary")
    r = standin.run(cli, "info")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("NVRM version:   %s\nCUDA version:   13.0\n\nDevice Index:   0\n" % V580)
    assert "GPU UUID:       %s\n" % GPU1[1] in r.stdout


def test_container_runtime_execs_runc(standin, tmp_path):
    runtime = standin.script("toolkit/nvidia-container-runtime", VERSION="1.18.0")
    fake = tmp_path / "fake-bin"
    fake.mkdir()
    runc = fake / "runc"
    runc.write_text('#!/bin/sh\necho "runc called with: $*"\n')
    runc.chmod(0o755)
    path = "%s:%s" % (fake, os.environ["PATH"])
    r = standin.run(runtime, "--root", "/run/x", "create", "--bundle", "/b", "id1", path=path)
    assert (r.returncode, r.stdout) == (0, "runc called with: --root /run/x create --bundle /b id1\n")
    r = standin.run(runtime, "--version", path=path)
    assert r.stdout.startswith("NVIDIA Container Runtime version 1.18.0\n")
    r = standin.run(runtime, "create", path="/nonexistent:/usr/bin:/bin")
    if not any(os.path.exists(os.path.join(d, "runc")) for d in ("/usr/bin", "/bin")):
        assert r.returncode == 1 and "runc not found" in r.stderr


def test_runtime_hook_succeeds(standin):
    hook = standin.script("toolkit/nvidia-container-runtime-hook", VERSION="1.18.0")
    assert standin.run(hook, "prestart").returncode == 0


# --------------------------------------------------------------------------
# Daemons
# --------------------------------------------------------------------------
def start(standin, script, *args):
    environment = {"PATH": os.environ["PATH"], "NVIDIA_STANDIN_ROOT": str(standin.root)}
    return subprocess.Popen(["/bin/sh", script, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=environment)


def runs_for_a_while(process):
    deadline = time.monotonic() + 1
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        time.sleep(0.1)
    process.kill()
    process.wait()
    return True


def test_fabricmanager_refuses_another_driver(standin):
    fm = standin.script("driver/nv-fabricmanager", VERSION=V580)
    config = standin.write("/usr/share/nvidia/nvswitch/fabricmanager.cfg", "LOG_LEVEL=4\n")
    r = standin.run(fm, "-c", str(config))
    assert r.returncode == 1 and "not loaded" in r.stderr
    standin.load(V575)
    r = standin.run(fm, "-c", str(config))
    assert r.returncode == 1
    assert "version %s don't match with driver version %s" % (V580, V575) in r.stderr
    standin.load(V580)
    process = start(standin, fm, "-c", str(config))
    assert runs_for_a_while(process)
    assert "nvidia-fabricmanager stand-in started" in process.stdout.read()


def test_persistenced_starts_and_stays(standin):
    process = start(standin, standin.script("driver/nvidia-persistenced", VERSION=V580), "--user", "nvidia-persistenced")
    assert runs_for_a_while(process)
    assert "nvidia-persistenced stand-in started" in process.stdout.read()


# --------------------------------------------------------------------------
# mokutil
# --------------------------------------------------------------------------
@pytest.mark.parametrize("state, rc, stdout, stderr", [
    (None, 0, "SecureBoot disabled\n", ""),
    ("disabled\n", 0, "SecureBoot disabled\n", ""),
    ("enabled\n", 0, "SecureBoot enabled\n", ""),
    ("unsupported\n", 1, "", "EFI variables are not supported on this system\n"),
])
def test_mokutil_sb_state(standin, state, rc, stdout, stderr):
    if state is not None:
        standin.write("/etc/nvidia-standin/secure-boot", state)
    r = standin.run(standin.script("driver/mokutil"), "--sb-state")
    assert (r.returncode, r.stdout, r.stderr) == (rc, stdout, stderr)


def test_mokutil_test_key(standin):
    mokutil = standin.script("driver/mokutil")
    key = "/var/lib/dkms/mok.pub"
    r = standin.run(mokutil, "--test-key", key)
    assert (r.returncode, r.stdout) == (1, key + " is not enrolled\n")
    standin.write("/etc/nvidia-standin/mok-enrolled", "/other.der\n" + key + "\n")
    r = standin.run(mokutil, "--test-key", key)
    assert (r.returncode, r.stdout) == (0, key + " is already enrolled\n")


def test_mokutil_usage(standin):
    r = standin.run(standin.script("driver/mokutil"), "--import", "x")
    assert r.returncode == 2 and "Usage" in r.stderr
