# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The listen_address test accepts addresses and names without port."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmops.vllm_stack.plugins.test.listen_address import TestModule, listen_address


@pytest.mark.parametrize(
    "value",
    [
        "0.0.0.0",
        "127.0.0.1",
        "::",
        "::1",
        "2001:db8::10",
        "fe80::1%eth0",
        "localhost",
        "node-1",
        "node-1.example.com",
        "node-1.example.com.",
        "gpu_01",
    ],
)
def test_accepts_addresses_and_host_names(value):
    assert listen_address(value)


@pytest.mark.parametrize(
    "value",
    [
        "0.0.0.0:9100",
        "127.0.0.1:9090",
        "[::]",
        "[::]:9100",
        "[2001:db8::10]",
        "localhost:9100",
        "http://0.0.0.0",
        "",
        " 0.0.0.0",
        "0.0.0.0 ",
        "256.0.0.1",
        "9100",
        "-node",
        "node-",
        "node..example.com",
        "a" * 64,
        ".".join(["a" * 63] * 4),
        "node 1",
        None,
        9100,
        ["0.0.0.0"],
    ],
)
def test_refuses_ports_brackets_urls_and_non_strings(value):
    assert not listen_address(value)


def test_is_registered_as_listen_address():
    assert TestModule().tests()["listen_address"] is listen_address
