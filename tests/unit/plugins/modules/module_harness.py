# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs a module's main() in-process, as Ansible would, for the module tests."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import json
from unittest import mock

from ansible.module_utils import basic

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19 reads the args from basic._ANSIBLE_ARGS
    @contextlib.contextmanager
    def patch_module_args(args=None):
        serialized = json.dumps({'ANSIBLE_MODULE_ARGS': args or {}}).encode()
        with mock.patch.object(basic, '_ANSIBLE_ARGS', serialized):
            yield


class _Exit(Exception):
    pass


class _Fail(Exception):
    pass


def _exit_json(self, **kwargs):
    kwargs.setdefault('changed', False)
    raise _Exit(kwargs)


def _fail_json(self, msg, **kwargs):
    kwargs.update(failed=True, msg=msg)
    raise _Fail(kwargs)


def run_module(main, args):
    """Run ``main`` with ``args``; return (result, failed). Any other exception fails the test."""
    with mock.patch.multiple(basic.AnsibleModule, exit_json=_exit_json, fail_json=_fail_json):
        with patch_module_args(args):
            try:
                main()
            except _Exit as exc:
                return exc.args[0], False
            except _Fail as exc:
                return exc.args[0], True
    raise AssertionError('module returned without exit_json or fail_json')
