# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report's table (plugins/module_utils/report.py).

- ``fleet_service_table`` (input: hostvars, then groups and the fleet
  settings as for ``fleet_targets``): the lines of a table of every service,
  its host, a URL reachable from the controller (a container reached through
  docker or podman at its default IPv4 address from facts, any other host at
  ansible_host, else its name), its scrape health from the
  scrape_target_health module's ``targets``; ``extra_rows`` for services
  that are no scrape target.
- ``fleet_chat_example`` (input: hostvars, then groups): shell lines that
  send a first chat completion through the first gateway (reading its
  master key from the 0600 secret file there), else to the first instance.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.llmops.vllm_stack.plugins.module_utils import fleet, report


def fleet_service_table(hostvars, groups, settings=None, health_targets=None, extra_rows=None):
    """Aligned lines: service, host, URL, scrape health."""
    try:
        by_host = fleet.targets_by_host(hostvars, groups, settings)
    except fleet.FleetError as exc:
        raise AnsibleFilterError(str(exc))
    return report.format_table(report.service_rows(by_host, health_targets, hostvars, extra_rows))


def fleet_chat_example(hostvars, groups):
    """Shell lines for a first chat completion from the controller."""
    return report.chat_example(hostvars, groups)


class FilterModule(object):
    def filters(self):
        return {'fleet_service_table': fleet_service_table, 'fleet_chat_example': fleet_chat_example}
