# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Maps ``ansible_architecture`` to the architecture names of release archives.

Prometheus, Alertmanager, node_exporter and most Go projects name their
release archives after Go's GOARCH (``linux-amd64``), while Ansible reports
the kernel's name (``x86_64``). Every role that builds a release URL uses this
one mapping (``go_arch``); every role that writes an apt source uses
``deb_arch``, Debian's names (``amd64``, ``arm64``, ``ppc64el``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

_GO_ARCH = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "armv7l": "armv7",
    "armv6l": "armv6",
    "i386": "386",
    "i686": "386",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
    "riscv64": "riscv64",
}


def _lookup(table, architecture, what):
    name = str(architecture or "").strip()
    try:
        return table[name]
    except KeyError:
        raise AnsibleFilterError(
            "no %s is known for ansible_architecture %r; known: %s" % (what, name, ", ".join(sorted(table)))
        )


def go_arch(architecture):
    """Return the Go architecture name for an ``ansible_architecture`` value."""
    return _lookup(_GO_ARCH, architecture, "release archive architecture")


_DEB_ARCH = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "armv7l": "armhf",
    "i386": "i386",
    "i686": "i386",
    "ppc64le": "ppc64el",
    "s390x": "s390x",
    "riscv64": "riscv64",
}


def deb_arch(architecture):
    """Return Debian's architecture name (apt sources) for an ``ansible_architecture`` value."""
    return _lookup(_DEB_ARCH, architecture, "Debian architecture")


class FilterModule(object):
    def filters(self):
        return {"go_arch": go_arch, "deb_arch": deb_arch}
