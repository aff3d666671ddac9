# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmops.vllm_stack.plugins.filter.docker_daemon import FilterModule, docker_daemon_errors


def test_registered():
    assert list(FilterModule().filters()) == ['docker_daemon_errors']


def test_values_of_the_documented_types_pass():
    assert docker_daemon_errors({
        'max-concurrent-downloads': 3, 'debug': False, 'data-root': '/srv/docker', 'exec-opts': ['native.cgroupdriver=systemd'],
        'default-ulimits': {'nofile': {'Name': 'nofile', 'Hard': 65536, 'Soft': 65536}}, 'features': {'cdi': True},
        'some-future-key': 'anything',
    }) == []


@pytest.mark.parametrize('options, words', [
    ({'max-concurrent-downloads': 'three'}, ["'max-concurrent-downloads' must be an integer", "'three'"]),
    ({'max-concurrent-downloads': True}, ["must be an integer"]),
    ({'live-restore': 'yes'}, ["'live-restore' must be true or false"]),
    ({'insecure-registries': 'mirror:5000'}, ["'insecure-registries' must be a list"]),
    ({'features': ['cdi']}, ["'features' must be an object"]),
    ({'debug': 1}, ["'debug' must be true or false"]),
])
def test_wrong_types_are_named(options, words):
    errors = docker_daemon_errors(options, 'container_engine_daemon_options')
    assert len(errors) == 1, errors
    assert errors[0].startswith('container_engine_daemon_options: daemon.json key ')
    for word in words:
        assert word in errors[0]


def test_not_a_mapping():
    assert docker_daemon_errors(['debug'])[0].startswith('container_engine_daemon_options must be a mapping')
