# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmops.vllm_stack.plugins.module_utils.prometheus_targets import (
    evaluate,
    labels_match,
    parse_matcher,
    parse_timestamp,
    targets_url,
)


@pytest.mark.parametrize('text, expected', [
    ('2026-01-10T12:00:00Z', 1768046400.0),
    ('2026-01-10T12:00:00.5Z', 1768046400.5),
    ('2026-01-10T13:00:00.123456789+01:00', 1768046400.123456789),
    ('2026-01-10T07:30:00-04:30', 1768046400.0),
])
def test_parse_timestamp(text, expected):
    assert parse_timestamp(text) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize('text', ['0001-01-01T00:00:00Z', '', 'yesterday', None])
def test_parse_timestamp_never_scraped_or_garbage(text):
    assert parse_timestamp(text) is None


@pytest.mark.parametrize('matchers, expected', [
    (['job=node'], True),
    (['job="node"', "env='prod'"], True),
    (['job!=node'], False),
    (['instance=~"gpu-.*"'], True),
    (['instance=~"gpu"'], False),  # anchored, as in Prometheus
    (['instance!~".*:9100"'], False),
    (['team=""'], True),  # a missing label matches as empty
    (['team=~".+"'], False),
])
def test_label_matchers(matchers, expected):
    labels = {'job': 'node', 'env': 'prod', 'instance': 'gpu-1:9100'}
    assert labels_match(labels, [parse_matcher(m) for m in matchers]) is expected


@pytest.mark.parametrize('text', ['job', '=node', '9job=node', 'job=~"("'])
def test_invalid_matchers(text):
    with pytest.raises(ValueError):
        parse_matcher(text)


def test_targets_url_keeps_route_prefix():
    assert targets_url('https://mon.example.com/prometheus/', False) == \
        'https://mon.example.com/prometheus/api/v1/targets?state=active'
    assert targets_url('http://127.0.0.1:9090', True) == 'http://127.0.0.1:9090/api/v1/targets?state=any'


def test_empty_answer_with_min_targets_zero_passes():
    assert evaluate({'activeTargets': []}, min_targets=0)['ok']
    assert not evaluate({'activeTargets': []})['ok']
