# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The go_arch filter names the archives roles download."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.llmops.vllm_stack.plugins.filter.arch import deb_arch, go_arch


@pytest.mark.parametrize("machine, expected", [("x86_64", "amd64"), ("aarch64", "arm64"), (" arm64 ", "arm64")])
def test_known_architectures(machine, expected):
    assert go_arch(machine) == expected


@pytest.mark.parametrize("machine", ["sparc64", "", None])
def test_unknown_architecture_names_the_value(machine):
    with pytest.raises(AnsibleFilterError, match="ansible_architecture"):
        go_arch(machine)


@pytest.mark.parametrize("machine, expected", [("x86_64", "amd64"), ("aarch64", "arm64"), ("ppc64le", "ppc64el")])
def test_deb_arch(machine, expected):
    assert deb_arch(machine) == expected


def test_deb_arch_unknown_names_the_fact():
    with pytest.raises(AnsibleFilterError, match="ansible_architecture 'sparc64'"):
        deb_arch("sparc64")
