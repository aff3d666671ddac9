# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lines of EnvironmentFile= files (docker's proxy, with credentials)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.llmops.vllm_stack.plugins.filter.systemd import FilterModule, systemd_env_file_line


def test_filter_is_registered():
    assert 'systemd_env_file_line' in FilterModule().filters()


# Each line and the value systemd 252 (Debian 12) hands the process, read back
# with `systemd-run --pipe -p EnvironmentFile=FILE env` in a scenario host.
@pytest.mark.parametrize('value, line', [
    ('http://u:p%40ss$x@proxy:3128', "A='http://u:p%40ss$x@proxy:3128'"),
    ('it\'s "q" \\ $HOME `x` %n', 'A="it\'s \\"q\\" \\\\ \\$HOME \\`x\\` %n"'),
    ('', "A=''"),
])
def test_values_survive_systemd_quoting(value, line):
    assert systemd_env_file_line('A', value) == line


@pytest.mark.parametrize('name, value, message', [
    ('HTTP-PROXY', 'x', 'invalid environment variable name'),
    ('A', 'one\ntwo', 'spans lines'),
])
def test_refused(name, value, message):
    with pytest.raises(AnsibleFilterError, match=message):
        systemd_env_file_line(name, value)
