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

Credentials in a proxy URL must never reach a remote command line: the
``environment:`` keyword puts every variable into the ``sh -c`` line that
starts the module (``ps`` for any local user, ``-vvv``). So downloads get the
proxy without its credentials (``proxy_env_public``) and send them as a
``Proxy-Authorization`` header (``proxy_authorization``), a module argument
that travels on the module's stdin; apt gets them from a root-only
``APT_CONFIG`` file (``apt_proxy_conf``). Containers get ``proxy_env_local``:
the same, with everything local added to no_proxy.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import re
import urllib.request
from urllib.parse import unquote, urlsplit

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


def proxy_env_local(settings, local_hosts):
    """proxy_env of ``settings`` with ``local_hosts`` added to its no_proxy, or {} without a proxy.

    For containers: nothing local (loopback, the host's own names, the
    fleet's servers) may go through the proxy. The configured no_proxy
    (a comma-separated string or a list) comes first, then ``local_hosts``;
    entries are trimmed, empty ones dropped, repeats kept once, in order, so
    the same inventory always gives the same environment. Settings without
    http_proxy and https_proxy give {}: no_proxy alone means nothing.
    """
    if settings is None:
        return {}
    if not isinstance(settings, dict):
        return proxy_env(settings)
    if not (str(settings.get("http_proxy") or "") + str(settings.get("https_proxy") or "")):
        return {}
    configured = settings.get("no_proxy") or ""
    entries = configured.split(",") if isinstance(configured, str) else list(configured)
    no_proxy = []
    for entry in entries + list(local_hosts or []):
        entry = str(entry).strip()
        if entry and entry not in no_proxy:
            no_proxy.append(entry)
    return proxy_env(dict(settings, no_proxy=",".join(no_proxy)))


def _strip_userinfo(url):
    return re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^@/\s]*@", r"\1", url)


def proxy_env_public(env):
    """The environment of ``proxy_env`` with user and password taken out of the proxy URLs."""
    if not isinstance(env, dict):
        raise AnsibleFilterError("proxy_env_public takes the environment of proxy_env, got a %s" % type(env).__name__)
    return dict((key, _strip_userinfo(str(value)) if key.lower() != "no_proxy" else value) for key, value in env.items())


def _credentials(proxy_url):
    match = _PROXY_URL.match(str(proxy_url).strip())
    if not match or not match.group("userinfo"):
        return None
    user, _sep, password = match.group("userinfo").partition(":")
    return unquote(user), unquote(password)


def proxy_authorization(env, url):
    """``{'Proxy-Authorization': 'Basic ...'}`` for a request to ``url`` through ``env``'s proxy, or ``{}``.

    The proxy is the one Python's urllib picks for that URL on the target
    (``https_proxy`` for https, ``http_proxy`` for http) unless the host is in
    ``no_proxy`` by urllib's own rule, in which case the request goes direct
    and no credentials may go with it. Python moves the header into the
    CONNECT request of an https tunnel, so the origin never sees it.
    """
    if not isinstance(env, dict):
        raise AnsibleFilterError("proxy_authorization takes the environment of proxy_env, got a %s" % type(env).__name__)
    parts = urlsplit(str(url))
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return {}
    no_proxy = env.get("no_proxy") or env.get("NO_PROXY") or ""
    if no_proxy and urllib.request.proxy_bypass_environment(parts.netloc, {"no": no_proxy}):
        return {}
    proxy = env.get(scheme + "_proxy") or env.get((scheme + "_proxy").upper()) or ""
    credentials = _credentials(proxy)
    if credentials is None:
        return {}
    token = base64.b64encode(("%s:%s" % credentials).encode("utf-8")).decode("ascii")
    return {"Proxy-Authorization": "Basic " + token}


def _apt_quote(value):
    return '"%s"' % str(value).replace("\\", "\\\\").replace('"', '\\"')


def apt_proxy_conf(env):
    """apt configuration text for ``env``'s proxies: ``Acquire::http(s)::Proxy``, hosts of no_proxy DIRECT.

    apt matches a per-host setting by exact host name only: domains
    (``.corp``), wildcards and CIDRs of ``no_proxy`` cannot be expressed and
    are listed in a comment. ``""`` when there is no proxy.
    """
    if not isinstance(env, dict):
        raise AnsibleFilterError("apt_proxy_conf takes the environment of proxy_env, got a %s" % type(env).__name__)
    lines = []
    for scheme in ("http", "https"):
        proxy = env.get(scheme + "_proxy") or env.get((scheme + "_proxy").upper()) or ""
        if proxy:
            lines.append("Acquire::%s::Proxy %s;" % (scheme, _apt_quote(proxy)))
    if not lines:
        return ""
    skipped = []
    no_proxy = env.get("no_proxy") or env.get("NO_PROXY") or ""
    for entry in [e.strip() for e in str(no_proxy).split(",") if e.strip()]:
        host = entry.strip("[]")
        if entry.startswith(".") or "*" in entry or "/" in entry or not re.match(r"^[A-Za-z0-9._:-]+$", host):
            skipped.append(entry)
            continue
        for scheme in ("http", "https"):
            lines.append("Acquire::%s::Proxy::%s \"DIRECT\";" % (scheme, host))
    if skipped:
        lines.append("// no_proxy entries apt cannot match (exact host names only): %s" % ", ".join(skipped))
    return "\n".join(lines) + "\n"


class FilterModule(object):
    def filters(self):
        return {"proxy_env": proxy_env, "proxy_env_local": proxy_env_local, "proxy_errors": proxy_errors,
                "proxy_env_public": proxy_env_public,
                "redact_credentials": redact,
                "proxy_authorization": proxy_authorization, "apt_proxy_conf": apt_proxy_conf}
