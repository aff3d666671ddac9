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
import copy
import csv
import json
import os
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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


def make_handler(exporter):
    class Handler(BaseHTTPRequestHandler):
        def _send(self, status, body, content_type='text/plain; version=0.0.4; charset=utf-8'):
            data = body.encode()
            self.send_response(status)
            self.send_header('Content-Type', content_type)
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
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
    print('dcgm-exporter STAND-IN (test double, no DCGM): %d counters from %s, listening on %s:%s, interval %d ms%s%s'
          % (len(counters), args.collectors, host, port, args.collect_interval,
             ', remote hostengine %s (ignored)' % args.remote_hostengine_info if args.remote_hostengine_info else '',
             ', web config %s (not implemented by the stand-in)' % args.web_config_file if args.web_config_file else ''),
          flush=True)
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    ThreadingHTTPServer.address_family = family
    server = ThreadingHTTPServer((host, int(port)), make_handler(exporter))
    # PID 1 of the container: without a handler SIGTERM (docker stop) is ignored.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server.serve_forever()


if __name__ == '__main__':
    main(sys.argv[1:])
