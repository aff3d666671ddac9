# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""path_state on a real temporary directory, driven as Ansible would drive it."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import grp
import hashlib
import os
import pwd

import pytest

from ansible_collections.llmops.vllm_stack.plugins.modules import path_state
from ansible_collections.llmops.vllm_stack.tests.unit.plugins.modules.module_harness import run_module


def run(paths, **args):
    result, failed = run_module(path_state.main, dict(args, paths=paths))
    return dict(result, failed=failed)


@pytest.fixture
def tree(tmp_path):
    (tmp_path / 'conf').mkdir(mode=0o750)
    os.chmod(tmp_path / 'conf', 0o750)
    config = tmp_path / 'conf' / 'app.yml'
    config.write_text('a: 1\n')
    os.chmod(config, 0o640)
    return tmp_path


ME = pwd.getpwuid(os.getuid()).pw_name
MY_GROUP = grp.getgrgid(os.getgid()).gr_name


def test_converged_paths_differ_in_nothing(tree):
    config = str(tree / 'conf' / 'app.yml')
    result = run([
        {'path': str(tree / 'conf'), 'state': 'directory', 'mode': '0750', 'owner': ME, 'group': MY_GROUP},
        {'path': config, 'state': 'file', 'mode': '0640', 'owner': str(os.getuid()),
         'checksum': hashlib.sha1(b'a: 1\n').hexdigest()},
        {'path': str(tree / 'gone'), 'state': 'absent'},
    ])
    assert result['failed'] is False and result['changed'] is False
    assert result['differ'] == []
    assert result['paths'][config]['checksum'] == hashlib.sha1(b'a: 1\n').hexdigest()
    assert result['paths'][str(tree / 'gone')] == {'exists': False, 'differs': []}


def test_each_kind_of_drift_is_named(tree):
    config = str(tree / 'conf' / 'app.yml')
    result = run([
        {'path': str(tree / 'conf'), 'state': 'directory', 'mode': '0755'},
        {'path': config, 'checksum': hashlib.sha1(b'a: 2\n').hexdigest(), 'owner': 'no-such-user-here'},
        {'path': str(tree / 'missing'), 'state': 'directory'},
        {'path': config + '.new', 'state': 'file', 'checksum': 'abc'},
        {'path': config, 'state': 'directory'},
        {'path': str(tree / 'conf'), 'state': 'absent'},
    ])
    facts = result['paths']
    assert result['differ'] == [str(tree / 'conf'), config, str(tree / 'missing'), config + '.new']
    assert facts[config]['differs'] == ['state']  # the last entry for a path wins in the facts
    assert facts[str(tree / 'missing')]['differs'] == ['state']
    assert facts[str(tree / 'conf')]['differs'] == ['state']


def test_checksum_mismatch_and_owner(tree):
    config = str(tree / 'conf' / 'app.yml')
    result = run([{'path': config, 'checksum': hashlib.sha1(b'other').hexdigest(), 'owner': 'no-such-user-here'}])
    assert result['paths'][config]['differs'] == ['owner', 'checksum']


def test_a_directory_has_no_checksum(tree):
    result = run([{'path': str(tree / 'conf'), 'checksum': 'abc', 'get_checksum': True}])
    assert result['paths'][str(tree / 'conf')]['differs'] == ['checksum']
    assert 'checksum' not in result['paths'][str(tree / 'conf')]


def test_get_checksum_reports_without_comparing(tree):
    config = str(tree / 'conf' / 'app.yml')
    result = run([{'path': config, 'get_checksum': True}])
    assert result['differ'] == []
    assert result['paths'][config]['checksum'] == hashlib.sha1(b'a: 1\n').hexdigest()


def test_a_bad_mode_fails_naming_the_path(tree):
    result = run([{'path': str(tree / 'conf'), 'mode': 'rwx'}])
    assert result['failed'] is True
    assert str(tree / 'conf') in result['msg'] and 'rwx' in result['msg']


def test_sha256_for_release_binaries(tree):
    config = str(tree / 'conf' / 'app.yml')
    wanted = hashlib.sha256(b'a: 1\n').hexdigest()
    result = run([{'path': config, 'checksum': wanted}], checksum_algorithm='sha256')
    assert result['differ'] == [] and result['paths'][config]['checksum'] == wanted
    result = run([config, str(tree / 'none')], checksum_algorithm='sha256', get_checksum=True)
    assert result['paths'][config]['checksum'] == wanted
    assert result['paths'][str(tree / 'none')]['exists'] is False


@pytest.mark.parametrize('entry, words', [
    ('relative/path', ['absolute path']),
    ({'path': '/etc', 'colour': 'blue'}, ['unknown keys colour', '/etc']),
    ({'path': '/etc', 'state': 'link'}, ['state', 'link', '/etc']),
])
def test_malformed_entries_fail_naming_the_field(entry, words):
    result = run([entry])
    assert result['failed'] is True
    for word in words:
        assert word in result['msg']
