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

import re

from ansible.errors import AnsibleFilterError

PROXY_KEYS = ("http_proxy", "https_proxy", "no_proxy")
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
# scheme://[user[:password]@]host[:port][/]
_PROXY_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?:(?P<userinfo>[^@/\s]*)@)?"
                        r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(?P<port>[0-9]+))?/?$")

# A host, domain (.corp or *.corp), address (IPv6 with or without brackets),
# optionally a port or a CIDR prefix length.
_NO_PROXY_ENTRY = re.compile(r"^[A-Za-z0-9._:*\[\]-]+(/[0-9]{1,3})?$")


def redact(url):
    """The URL with any user and password replaced by '***', for messages."""
    return re.sub(r"(://)[^@/\s]*@", r"\1***@", str(url))


def proxy_errors(settings, variable="vllm_stack_proxy"):
    """What is wrong with proxy settings, each message naming the variable and
    its field, never a password ([] when fine)."""
    if settings is None or settings == {}:
        return []
    if not isinstance(settings, dict):
        return ["%s must be a dict with http_proxy, https_proxy and no_proxy, got a %s"
                % (variable, type(settings).__name__)]
    errors = []
    unknown = sorted(str(key) for key in set(settings) - set(PROXY_KEYS))
    if unknown:
        errors.append("%s: unknown key(s) %s; expected %s" % (variable, ", ".join(unknown), ", ".join(PROXY_KEYS)))
    for key in ("http_proxy", "https_proxy"):
        value = settings.get(key)
        if value is None or value == "":
            continue
        where = "%s.%s" % (variable, key)
        if not isinstance(value, str):
            errors.append("%s must be a URL string, got a %s" % (where, type(value).__name__))
            continue
        match = _PROXY_URL.match(value.strip())
        if match is None:
            errors.append("%s: %r is not a proxy URL such as http://proxy.example.com:3128 (scheme, host,"
                          " optional port, no path)" % (where, redact(value)))
        elif match.group("scheme").lower() not in PROXY_SCHEMES:
            errors.append("%s: scheme %r of %r is not one of %s"
                          % (where, match.group("scheme"), redact(value), ", ".join(PROXY_SCHEMES)))
        elif match.group("port") is not None and not 1 <= int(match.group("port")) <= 65535:
            errors.append("%s: port %s of %r is not between 1 and 65535" % (where, match.group("port"), redact(value)))
    no_proxy = settings.get("no_proxy")
    if no_proxy not in (None, ""):
        entries = no_proxy.split(",") if isinstance(no_proxy, str) else no_proxy
        if not isinstance(entries, (list, tuple)):
            errors.append("%s.no_proxy must be a comma-separated string or a list, got a %s"
                          % (variable, type(no_proxy).__name__))
        else:
            bad = [str(entry).strip() for entry in entries
                   if not isinstance(entry, str) or not _NO_PROXY_ENTRY.match(entry.strip())]
            if bad:
                errors.append("%s.no_proxy: entries %s are not host names, domains (.example.com),"
                              " addresses or CIDR ranges" % (variable, bad))
    return errors


def proxy_env(settings):
    """Return an environment dict for the non-empty proxy settings."""
    if settings is None:
        return {}
    if not isinstance(settings, dict):
        raise AnsibleFilterError("proxy settings must be a dict with http_proxy, https_proxy and no_proxy, got a %s"
                                 % type(settings).__name__)
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
        return {"proxy_env": proxy_env, "proxy_errors": proxy_errors}
