# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Quoting for values that end up in systemd unit files.

systemd parses ExecStart= and Environment= itself: ``%`` starts a specifier,
``$`` an environment expansion, and white space or quotes split words. Values
from the inventory (engine args, JSON-valued flags, URLs) must survive that.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.errors import AnsibleFilterError

_SAFE = re.compile(r"^[A-Za-z0-9_@+=:,./\[\]-]+$")


def _escape_specials(value):
    return value.replace("%", "%%").replace("$", "$$")


def systemd_quote(value):
    """Quote one command-line word for ExecStart=."""
    if isinstance(value, bool):
        value = "true" if value else "false"
    if isinstance(value, (dict, list)):
        raise AnsibleFilterError("systemd_quote takes a scalar; serialise %r first (for example with to_json)" % (value,))
    text = str(value)
    if text and _SAFE.match(text):
        return text
    quoted = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"%s"' % _escape_specials(quoted)


def systemd_env_assignment(name, value):
    """Render one Environment= assignment, quoted as a whole."""
    if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", str(name)):
        raise AnsibleFilterError("invalid environment variable name %r" % (name,))
    text = "%s=%s" % (name, value)
    quoted = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"%s"' % quoted.replace("%", "%%")


def systemd_env_file_line(name, value):
    """Render one line of an EnvironmentFile= file.

    Unlike Environment=, whose values any local user reads back with
    ``systemctl show``, an environment file's content is not among the unit's
    properties: secrets (proxy credentials) belong there. systemd reads the
    file with shell-like quoting and no specifiers: single quotes keep every
    character; a value with a single quote is double-quoted with the
    backslash escapes systemd undoes there.
    """
    if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", str(name)):
        raise AnsibleFilterError("invalid environment variable name %r" % (name,))
    text = str(value)
    if "\n" in text or "\r" in text:
        raise AnsibleFilterError("the value of %s spans lines; an environment file holds one line per variable" % (name,))
    if "'" not in text:
        return "%s='%s'" % (name, text)
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("`", "\\`")
    return '%s="%s"' % (name, escaped)


class FilterModule(object):
    def filters(self):
        return {
            "systemd_quote": systemd_quote,
            "systemd_env_assignment": systemd_env_assignment,
            "systemd_env_file_line": systemd_env_file_line,
        }
