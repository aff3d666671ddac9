# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters over the gateway model (plugins/module_utils/litellm.py).

Each of the first three takes ``hostvars`` as input, then ``groups`` and the
settings: a mapping of the litellm role's variables (``litellm_vllm_hosts``,
``litellm_model_groups``, ``litellm_extra_deployments``, the router settings,
``litellm_require_auth_for_metrics``, ``litellm_database_url_set``); a
missing or null entry takes the role default.

- ``litellm_config``: ``{config, env, model_groups, env_references}``: the
  dict to write as LiteLLM's config.yaml, the upstream keys by environment
  variable (secrets: no_log), each model group's deployment ids, and every
  environment variable the config refers to.
- ``litellm_errors``: what makes the config impossible, naming host, entry
  and variable ([] when fine).
- ``litellm_model``: both in one build, ``{config, env, model_groups,
  env_references, errors}``: what the litellm role checks and writes.
- ``litellm_settings_errors`` (input: the master key, then the database URL):
  what is wrong with the gateway's secrets, never showing them (call it
  under no_log all the same).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.llmops.vllm_stack.plugins.module_utils import litellm


def litellm_config(hostvars, groups, settings=None):
    """The gateway's config, its upstream keys and its model groups."""
    try:
        return litellm.config(hostvars, groups, settings)
    except litellm.LitellmError as exc:
        raise AnsibleFilterError(str(exc))


def litellm_model(hostvars, groups, settings=None):
    """The whole gateway model, errors included: one build for the role's checks and its config."""
    return litellm.build(hostvars, groups, settings)


def litellm_errors(hostvars, groups, settings=None):
    """The gateway model's errors, each naming the host or entry and the variable; [] when there are none."""
    return litellm.errors(hostvars, groups, settings)


def litellm_settings_errors(master_key, database_url=None):
    """What is wrong with the master key and the database URL ([] when fine)."""
    return litellm.settings_errors(master_key, database_url)


class FilterModule(object):
    def filters(self):
        return {
            'litellm_config': litellm_config,
            'litellm_errors': litellm_errors,
            'litellm_model': litellm_model,
            'litellm_settings_errors': litellm_settings_errors,
        }
