# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""dpkg_missing on dpkg-query's output, for plain and version-pinned requests."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.vllm_stack.plugins.filter.packages import dpkg_missing


def test_dpkg_missing():
    results = [
        {'item': 'tinyproxy', 'stdout': 'tinyproxy installed 1.11.1-2.1'},
        {'item': 'podman', 'stdout': ''},
        {'item': 'mokutil', 'stdout': 'mokutil not-installed '},
        {'item': 'nvidia-fabricmanager=580.95.05-1', 'stdout': 'nvidia-fabricmanager installed 580.95.05-1'},
        {'item': 'nvidia-container-toolkit=1.18.0-1', 'stdout': 'nvidia-container-toolkit installed 1.17.8-1'},
    ]
    assert dpkg_missing(results) == ['podman', 'mokutil', 'nvidia-container-toolkit=1.18.0-1']
