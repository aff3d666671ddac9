"""STAND-IN for NVIDIA dcgm-exporter (test double; no DCGM, no GPU).

Serves /metrics in dcgm-exporter's exposition format for the counters of the
CSV given with -f, on the address given with -a, for simulated GPUs whose
values a test changes at runtime. See README.md beside this file for where
each shape comes from and what a stand-in cannot show.

Test control (not part of the real exporter):
  GET  /standin/state          the current state as JSON
  POST /standin/state          merge a JSON object into the state
  POST /standin/reset          back to the initial state
  $DCGM_STANDIN_STATE_FILE     JSON merged over the state whenever it changes
                               (default /var/lib/dcgm-exporter-standin/state.json)

State keys: gpu_count (int), absent_gpus (indices that fell off the bus),
values ({"<gpu>": {"FIELD": value}}), blank ({"FIELD": [gpu, ...]}: DCGM's
blank sentinel instead of a value), mig (bool: GPU_I_PROFILE/GPU_I_ID labels,
no *_UTIL fields), hostname_label ("Hostname" up to 4.8.2, "hostname" after),
model_name, driver_version. Environment: DCGM_STANDIN_HOSTNAME_LABEL,
DCGM_STANDIN_GPU_COUNT, DCGM_STANDIN_MIG set the initial state; NODE_NAME
replaces the host name as in the real exporter.
"""

import argparse
import base64
import copy
import csv
import json
import os
import signal
import socket
import ssl
import sys
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

with warnings.catch_warnings():
    # crypt is deprecated from Python 3.11; Debian 12's libxcrypt checks bcrypt.
    warnings.simplefilter('ignore', DeprecationWarning)
    import crypt

# DCGM's blank values (dcgm_structs.h): what the exporter prints when a field
# has no value on this GPU, e.g. DCGM_FI_DEV_MEMORY_TEMP on GPUs without that
# sensor (the exporter's README shows 9223372036854775794 there).
INT64_BLANK = 9223372036854775794  # DCGM_INT64_NOT_SUPPORTED (0x7ffffffffffffff2)
FP64_BLANK = 140737488355328.0  # DCGM_FP64_BLANK (2^47)

# Fields the stand-in knows, with the value type DCGM gives them and an idle
# value. The real exporter knows every DCGM field (go-dcgm's field table) and
# its own DCGM_EXP_* counters; an unknown name in -f makes it exit.
FLOAT = 'f'
INT = 'i'
FIELDS = {
    'DCGM_FI_DEV_SM_CLOCK': (INT, 1980),
    'DCGM_FI_DEV_MEM_CLOCK': (INT, 3201),
    'DCGM_FI_DEV_MEMORY_TEMP': (INT, 36),
    'DCGM_FI_DEV_GPU_TEMP': (INT, 38),
    'DCGM_FI_DEV_POWER_USAGE': (FLOAT, 118.25),
    'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION': (INT, 1000000),
    'DCGM_FI_DEV_PCIE_TX_THROUGHPUT': (INT, 0),
    'DCGM_FI_DEV_PCIE_RX_THROUGHPUT': (INT, 0),
    'DCGM_FI_DEV_PCIE_REPLAY_COUNTER': (INT, 0),
    'DCGM_FI_DEV_GPU_UTIL': (INT, 0),
    'DCGM_FI_DEV_MEM_COPY_UTIL': (INT, 0),
    'DCGM_FI_DEV_ENC_UTIL': (INT, 0),
    'DCGM_FI_DEV_DEC_UTIL': (INT, 0),
    'DCGM_FI_DEV_XID_ERRORS': (INT, 0),
    'DCGM_FI_DEV_POWER_VIOLATION': (INT, 0),
    'DCGM_FI_DEV_THERMAL_VIOLATION': (INT, 0),
    'DCGM_FI_DEV_SYNC_BOOST_VIOLATION': (INT, 0),
    'DCGM_FI_DEV_BOARD_LIMIT_VIOLATION': (INT, 0),
    'DCGM_FI_DEV_LOW_UTIL_VIOLATION': (INT, 0),
    'DCGM_FI_DEV_RELIABILITY_VIOLATION': (INT, 0),
    'DCGM_FI_DEV_CLOCKS_EVENT_REASONS': (INT, 0),
    'DCGM_FI_DEV_FB_TOTAL': (INT, 143771),
    'DCGM_FI_DEV_FB_FREE': (INT, 143247),
    'DCGM_FI_DEV_FB_USED': (INT, 0),
    'DCGM_FI_DEV_FB_RESERVED': (INT, 524),
    'DCGM_FI_DEV_ECC_SBE_VOL_TOTAL': (INT, 0),
    'DCGM_FI_DEV_ECC_DBE_VOL_TOTAL': (INT, 0),
    'DCGM_FI_DEV_ECC_SBE_AGG_TOTAL': (INT, 0),
    'DCGM_FI_DEV_ECC_DBE_AGG_TOTAL': (INT, 0),
    'DCGM_FI_DEV_RETIRED_SBE': (INT, 0),
    'DCGM_FI_DEV_RETIRED_DBE': (INT, 0),
    'DCGM_FI_DEV_RETIRED_PENDING': (INT, 0),
    'DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL': (INT, 0),
    'DCGM_FI_DEV_NVLINK_CRC_DATA_ERROR_COUNT_TOTAL': (INT, 0),
    'DCGM_FI_DEV_NVLINK_REPLAY_ERROR_COUNT_TOTAL': (INT, 0),
    'DCGM_FI_DEV_NVLINK_RECOVERY_ERROR_COUNT_TOTAL': (INT, 0),
    'DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL': (INT, 0),
    'DCGM_FI_DEV_VGPU_LICENSE_STATUS': (INT, 0),
    'DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS': (INT, 0),
    'DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS': (INT, 0),
    'DCGM_FI_DEV_ROW_REMAP_FAILURE': (INT, 0),
    'DCGM_FI_DEV_ROW_REMAP_PENDING': (INT, 0),
    'DCGM_FI_PROF_GR_ENGINE_ACTIVE': (FLOAT, 0.0),
    'DCGM_FI_PROF_SM_ACTIVE': (FLOAT, 0.0),
    'DCGM_FI_PROF_SM_OCCUPANCY': (FLOAT, 0.0),
    'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE': (FLOAT, 0.0),
    'DCGM_FI_PROF_DRAM_ACTIVE': (FLOAT, 0.0),
    'DCGM_FI_PROF_PIPE_FP64_ACTIVE': (FLOAT, 0.0),
    'DCGM_FI_PROF_PIPE_FP32_ACTIVE': (FLOAT, 0.0),
    'DCGM_FI_PROF_PIPE_FP16_ACTIVE': (FLOAT, 0.0),
    'DCGM_FI_PROF_PCIE_TX_BYTES': (INT, 0),
    'DCGM_FI_PROF_PCIE_RX_BYTES': (INT, 0),
    'DCGM_FI_PROF_NVLINK_TX_BYTES': (INT, 0),
    'DCGM_FI_PROF_NVLINK_RX_BYTES': (INT, 0),
}
# "label" counters: static values that become labels of every metric.
LABEL_FIELDS = {
    'DCGM_FI_DRIVER_VERSION': 'driver_version',
    'DCGM_FI_NVML_VERSION': 'nvml_version',
    'DCGM_FI_DEV_BRAND': 'brand',
    'DCGM_FI_DEV_SERIAL': 'serial',
    'DCGM_FI_DEV_VBIOS_VERSION': 'vbios_version',
}
# The exporter's own counters (internal/pkg/counters/exporter_counters.go).
EXPORTER_COUNTERS = ('DCGM_EXP_XID_ERRORS_COUNT', 'DCGM_EXP_CLOCK_EVENTS_COUNT',
                     'DCGM_EXP_GPU_HEALTH_STATUS')
# Fields DCGM has no value for in MIG mode (their series are absent there).
NOT_UNDER_MIG = ('DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_DEV_MEM_COPY_UTIL',
                 'DCGM_FI_DEV_ENC_UTIL', 'DCGM_FI_DEV_DEC_UTIL')
PROM_TYPES = ('counter', 'gauge', 'untyped', 'label')


def initial_state():
    return {
        'gpu_count': int(os.environ.get('DCGM_STANDIN_GPU_COUNT', '2')),
        'absent_gpus': [],
        'values': {},
        'blank': {},
        'mig': os.environ.get('DCGM_STANDIN_MIG', '') in ('1', 'true', 'yes'),
        'hostname_label': os.environ.get('DCGM_STANDIN_HOSTNAME_LABEL', 'Hostname'),
        'model_name': 'NVIDIA H200',
        'driver_version': '570.124.06',
        'nvml_version': '12.570.124.06',
        'brand': 'Hopper',
        'vbios_version': '96.00.A5.00.01',
    }


def read_counters(path):
    """The counters of a dcgm-exporter CSV, checked as the exporter checks them."""
    try:
        with open(path, newline='') as handle:
            rows = [row for row in csv.reader(handle) if row and not row[0].lstrip().startswith('#')]
    except OSError as err:
        sys.exit("Could not read metrics file '%s'; err: %s" % (path, err))
    counters, labels = [], []
    for number, row in enumerate(rows):
        row = [field.strip(' ') for field in row]
        if len(row) != 3:
            sys.exit('malformed CSV record; err: failed to parse line %d (`%s`), expected 3 fields' % (number, row))
        name, prom_type, help_text = row
        if name not in FIELDS and name not in LABEL_FIELDS and name not in EXPORTER_COUNTERS:
            sys.exit("could not find DCGM field; err: unknown ExporterCounter field '%s'" % name)
        if prom_type not in PROM_TYPES:
            sys.exit("could not find Prometheus metric type '%s'" % prom_type)
        if prom_type == 'label':
            labels.append(name)
        else:
            counters.append((name, prom_type, help_text))
    return counters, labels


class Exporter:
    def __init__(self, counters, labels):
        self.counters = counters
        self.labels = labels
        self.lock = threading.Lock()
        self.state = initial_state()
        self.started = time.time()
        self.state_file = os.environ.get('DCGM_STANDIN_STATE_FILE', '/var/lib/dcgm-exporter-standin/state.json')
        self.state_file_mtime = None
        self.hostname = os.environ.get('NODE_NAME') or socket.gethostname()

    def merge(self, update):
        if not isinstance(update, dict):
            raise ValueError('the state update must be a JSON object')
        with self.lock:
            self.state.update(update)

    def reset(self):
        with self.lock:
            self.state = initial_state()

    def _reload_state_file(self):
        try:
            mtime = os.stat(self.state_file).st_mtime
        except OSError:
            return
        if mtime != self.state_file_mtime:
            with open(self.state_file) as handle:
                self.merge(json.load(handle))
            self.state_file_mtime = mtime

    def snapshot(self):
        self._reload_state_file()
        with self.lock:
            return copy.deepcopy(self.state)

    def render(self):
        state = self.snapshot()
        absent = set(int(gpu) for gpu in state['absent_gpus'])
        gpus = [gpu for gpu in range(int(state['gpu_count'])) if gpu not in absent]
        attributes = {}
        for name in self.labels:
            attributes[name] = state.get(LABEL_FIELDS[name], '')
        uptime = time.time() - self.started
        out = []
        for name, prom_type, help_text in self.counters:
            out.append('# HELP %s %s' % (name, help_text))
            out.append('# TYPE %s %s' % (name, prom_type))
            if name in EXPORTER_COUNTERS or (state['mig'] and name in NOT_UNDER_MIG):
                # The DCGM_EXP_* collectors only emit series after events (none here).
                continue
            kind, idle = FIELDS[name]
            for gpu in gpus:
                value = state['values'].get(str(gpu), {}).get(name, idle)
                if gpu in [int(g) for g in state['blank'].get(name, [])]:
                    value = FP64_BLANK if kind == FLOAT else INT64_BLANK
                elif prom_type == 'counter' and name == 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION':
                    value = int(value + uptime * 118250)
                out.append('%s{%s} %s' % (name, self.label_text(state, gpu, attributes), format_value(kind, value)))
        return '\n'.join(out) + '\n'

    def label_text(self, state, gpu, attributes):
        # The GPU template of internal/pkg/rendermetrics/render_metrics.go:
        # gpu, UUID, pci_bus_id, device, modelName, the MIG pair, the host
        # label, then the label counters in name order.
        pairs = [
            ('gpu', str(gpu)),
            ('UUID', 'GPU-%08x-5e1f-4a2b-9c3d-%012x' % (0x7ab4c000 + gpu, 0x1f2e3d4c5b00 + gpu)),
            ('pci_bus_id', '00000000:%02X:00.0' % (0x18 + 0x10 * gpu)),
            ('device', 'nvidia%d' % gpu),
            ('modelName', state['model_name']),
        ]
        if state['mig']:
            pairs += [('GPU_I_PROFILE', '3g.71gb'), ('GPU_I_ID', '1')]
        if self.hostname:
            pairs.append((state['hostname_label'], self.hostname))
        pairs += sorted(attributes.items())
        return ','.join('%s="%s"' % (key, escape(value)) for key, value in pairs)


def format_value(kind, value):
    # The exporter prints integer fields with %d and double fields with %f.
    if kind == FLOAT:
        return '%f' % float(value)
    return '%d' % int(value)


def escape(value):
    return str(value).replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')


# exporter-toolkit's web config (--web-config-file), the part the collection
# writes: tls_server_config.{cert_file,key_file} and basic_auth_users (user:
# bcrypt hash). Like exporter-toolkit, an unknown key or a bad file stops the
# exporter at start, and the file is read again for every request, so a
# change needs no restart. The parser reads the block YAML of Ansible's
# to_nice_yaml (two levels of `key: value`); flow style is refused.
WEB_KEYS = {'tls_server_config': ('cert_file', 'key_file', 'client_auth_type', 'client_ca_file', 'min_version',
                                  'max_version', 'cipher_suites', 'prefer_server_cipher_suites', 'curve_preferences'),
            'basic_auth_users': None, 'http_server_config': ('http2', 'headers')}


def _scalar(text):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in '\'"':
        return text[1:-1].replace("''", "'") if text[0] == "'" else json.loads(text)
    return text


def read_web_config(path):
    config = {}
    section = None
    with open(path) as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip() or line.lstrip().startswith('#'):
                continue
            key, sep, value = line.strip().partition(':')
            if not sep or value.strip().startswith(('{', '[')):
                raise ValueError('%s:%d: not a block-style "key: value" line' % (path, number))
            if not line.startswith(' '):
                if key not in WEB_KEYS:
                    raise ValueError('%s:%d: field %s not found in type web.Config' % (path, number, key))
                section = config.setdefault(key, {})
                continue
            if section is None:
                raise ValueError('%s:%d: indented line outside a section' % (path, number))
            section[_scalar(key)] = _scalar(value)
    tls = config.get('tls_server_config', {})
    if tls and not (tls.get('cert_file') and tls.get('key_file')):
        raise ValueError('%s: tls_server_config needs cert_file and key_file' % path)
    for user, hashed in config.get('basic_auth_users', {}).items():
        if not hashed.startswith(('$2a$', '$2b$', '$2y$')):
            raise ValueError('%s: basic_auth_users.%s is not a bcrypt hash' % (path, user))
    return config


def authorized(config, header):
    users = config.get('basic_auth_users') or {}
    if not users:
        return True
    if not header or not header.startswith('Basic '):
        return False
    try:
        user, _sep, password = base64.b64decode(header[6:]).decode().partition(':')
    except ValueError:
        return False
    hashed = users.get(user)
    return hashed is not None and crypt.crypt(password, hashed.replace('$2y$', '$2b$', 1)) == hashed.replace('$2y$', '$2b$', 1)


def make_handler(exporter, web_config_file=''):
    class Handler(BaseHTTPRequestHandler):
        def _send(self, status, body, content_type='text/plain; version=0.0.4; charset=utf-8'):
            data = body.encode()
            self.send_response(status)
            self.send_header('Content-Type', content_type)
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _allowed(self):
            if not web_config_file or self.path.startswith('/standin/'):
                return True
            if authorized(read_web_config(web_config_file), self.headers.get('Authorization')):
                return True
            self.send_response(401)
            self.send_header('WWW-Authenticate', 'Basic')
            self.send_header('Content-Length', '13')
            self.end_headers()
            self.wfile.write(b'Unauthorized\n')
            return False

        def do_GET(self):
            if not self._allowed():
                return
            if self.path == '/metrics':
                self._send(200, exporter.render())
            elif self.path == '/health':
                self._send(200, 'OK')
            elif self.path == '/standin/state':
                self._send(200, json.dumps(exporter.snapshot()), 'application/json')
            else:
                self._send(404, '404 page not found\n')

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get('Content-Length', 0)) or 0)
            try:
                if self.path == '/standin/state':
                    exporter.merge(json.loads(body or b'{}'))
                elif self.path == '/standin/reset':
                    exporter.reset()
                else:
                    self._send(404, '404 page not found\n')
                    return
            except ValueError as err:
                self._send(400, '%s\n' % err)
                return
            self._send(200, json.dumps(exporter.snapshot()), 'application/json')

        def log_message(self, *args):
            pass

    return Handler


def parse_args(argv):
    # The real exporter's flags (cmd/dcgm-exporter, internal/pkg/appconfig);
    # the stand-in honours -f and -a and accepts the others.
    parser = argparse.ArgumentParser(prog='dcgm-exporter', description='dcgm-exporter STAND-IN (test double)')
    parser.add_argument('-f', '--collectors', default='/etc/dcgm-exporter/default-counters.csv')
    parser.add_argument('-a', '--address', default=':9400')
    parser.add_argument('-c', '--collect-interval', type=int, default=30000)
    parser.add_argument('-r', '--remote-hostengine-info', default=None)
    parser.add_argument('--web-config-file', default='')
    parser.add_argument('-n', '--no-hostname', action='store_true')
    parser.add_argument('-o', '--use-old-namespace', action='store_true')
    parser.add_argument('-d', '--devices', default='f')
    parser.add_argument('-k', '--kubernetes', action='store_true')
    return parser.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    counters, labels = read_counters(args.collectors)
    host, _sep, port = args.address.rpartition(':')
    host = host.strip('[]') or '0.0.0.0'
    exporter = Exporter(counters, labels)
    if args.no_hostname:
        exporter.hostname = ''
    web = {}
    if args.web_config_file:
        try:
            web = read_web_config(args.web_config_file)
        except (OSError, ValueError) as err:
            print('level=error msg="Failed to start the web server" err="%s"' % err, file=sys.stderr, flush=True)
            sys.exit(1)
    web_note = ''
    if args.web_config_file:
        web_note = ', web config %s (TLS %s, %d basic-auth users)' % (
            args.web_config_file, 'on' if web.get('tls_server_config') else 'off', len(web.get('basic_auth_users') or {}))
    print('dcgm-exporter STAND-IN (test double, no DCGM): %d counters from %s, listening on %s:%s, interval %d ms%s%s'
          % (len(counters), args.collectors, host, port, args.collect_interval,
             ', remote hostengine %s (ignored)' % args.remote_hostengine_info if args.remote_hostengine_info else '',
             web_note),
          flush=True)
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    ThreadingHTTPServer.address_family = family
    server = ThreadingHTTPServer((host, int(port)), make_handler(exporter, args.web_config_file))
    if web.get('tls_server_config'):
        # The certificate and key are read again for every connection, as
        # exporter-toolkit does.
        def context_for_connection():
            tls = read_web_config(args.web_config_file).get('tls_server_config', {})
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.load_cert_chain(tls['cert_file'], tls['key_file'])
            return context

        context_for_connection()
        plain_get_request = server.get_request

        def get_request():
            sock, address = plain_get_request()
            # A client that never finishes its handshake must not hold the accept loop.
            sock.settimeout(10)
            wrapped = context_for_connection().wrap_socket(sock, server_side=True)
            wrapped.settimeout(None)
            return wrapped, address

        server.get_request = get_request
    # PID 1 of the container: without a handler SIGTERM (docker stop) is ignored.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server.serve_forever()


if __name__ == '__main__':
    main(sys.argv[1:])
