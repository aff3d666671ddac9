# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Type checks of docker daemon.json keys, before the file is written.

Docker before 23 has no ``dockerd --validate``; JSON syntax is all the
container_engine role could check there, and a value of the wrong type
(``"max-concurrent-downloads": "three"``) is refused only by the next dockerd
start. The table holds the JSON type of the daemon.json keys documented for
dockerd (docs.docker.com, "Daemon configuration file"); keys not in it are
passed through for newer releases to judge.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

_INT = ('max-concurrent-downloads', 'max-concurrent-uploads', 'max-download-attempts', 'shutdown-timeout',
        'mtu', 'network-control-plane-mtu')
_BOOL = ('debug', 'experimental', 'icc', 'init', 'ip-forward', 'ip-masq', 'ip6tables', 'iptables', 'ipv6',
         'live-restore', 'no-new-privileges', 'raw-logs', 'selinux-enabled', 'userland-proxy')
_STR = ('bip', 'bridge', 'cgroup-parent', 'containerd', 'data-root', 'default-cgroupns-mode', 'default-gateway',
        'default-gateway-v6', 'default-ipc-mode', 'default-runtime', 'default-shm-size', 'exec-root',
        'fixed-cidr', 'fixed-cidr-v6', 'group', 'init-path', 'ip', 'log-driver', 'log-format', 'log-level',
        'metrics-addr', 'pidfile', 'seccomp-profile', 'storage-driver', 'userns-remap')
_LIST = ('allow-nondistributable-artifacts', 'authorization-plugins', 'default-address-pools', 'dns',
         'dns-opts', 'dns-search', 'exec-opts', 'hosts', 'insecure-registries', 'labels', 'registry-mirrors',
         'storage-opts')
_DICT = ('builder', 'default-ulimits', 'features', 'log-opts', 'proxies', 'runtimes')

_TYPES = dict([(key, (int, 'an integer')) for key in _INT] + [(key, (bool, 'true or false')) for key in _BOOL]
              + [(key, (str, 'a string')) for key in _STR] + [(key, (list, 'a list')) for key in _LIST]
              + [(key, (dict, 'an object')) for key in _DICT])


def docker_daemon_errors(options, variable='container_engine_daemon_options'):
    """What is wrong with daemon.json keys, each message naming the variable and the key."""
    if not isinstance(options, dict):
        return ['%s must be a mapping of daemon.json keys to values, got a %s' % (variable, type(options).__name__)]
    errors = []
    for key in sorted(options, key=str):
        value = options[key]
        expected = _TYPES.get(str(key))
        if expected is None or value is None:
            continue
        kind, words = expected
        # JSON has no int/bool confusion; Python's bool is an int.
        wrong = isinstance(value, bool) != (kind is bool) or not isinstance(value, kind)
        if wrong:
            errors.append('%s: daemon.json key %r must be %s, got %r (a %s): dockerd would refuse the file'
                          ' at its next start' % (variable, str(key), words, value, type(value).__name__))
    return errors


class FilterModule(object):
    def filters(self):
        return {'docker_daemon_errors': docker_daemon_errors}
