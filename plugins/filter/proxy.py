# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turns the collection-wide proxy settings into environment variables.

Every role takes its proxy settings from ``vllm_stack_proxy``
(``{http_proxy, https_proxy, no_proxy}``) through this one filter, so package
managers, downloads, container daemons and containers all see the same values.
Both spellings are set because tools disagree: curl and apt read the lower-case
names, Go programs (docker, Prometheus) read either, some Python code only the
upper-case ones.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

PROXY_KEYS = ("http_proxy", "https_proxy", "no_proxy")


def proxy_env(settings):
    """Return an environment dict for the non-empty proxy settings."""
    if settings is None:
        return {}
    if not isinstance(settings, dict):
        raise AnsibleFilterError("proxy settings must be a dict with http_proxy, https_proxy and no_proxy, got %r" % (settings,))
    unknown = sorted(set(settings) - set(PROXY_KEYS))
    if unknown:
        raise AnsibleFilterError("unknown proxy setting(s) %s; expected %s" % (", ".join(unknown), ", ".join(PROXY_KEYS)))
    env = {}
    for key in PROXY_KEYS:
        value = settings.get(key) or ""
        if isinstance(value, (list, tuple)):
            value = ",".join(str(item) for item in value)
        value = str(value).strip()
        if value:
            env[key] = value
            env[key.upper()] = value
    return env


class FilterModule(object):
    def filters(self):
        return {"proxy_env": proxy_env}
