# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which requested packages dpkg does not have (common's package install).

- ``dpkg_missing`` (input: the results of a loop of ``dpkg-query --show
  --showformat='${Package} ${db:Status-Status} ${Version}\\n' NAME`` over the
  requested packages, ``NAME`` or ``NAME=VERSION``): the requested entries that
  are not installed, or installed at another version than the one pinned.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def dpkg_missing(results):
    missing = []
    for result in results or []:
        wanted = str(result.get('item', ''))
        fields = str(result.get('stdout', '')).split()
        installed = len(fields) >= 2 and fields[1] == 'installed'
        if installed and '=' in wanted:
            installed = len(fields) == 3 and fields[2] == wanted.split('=', 1)[1]
        if not installed:
            missing.append(wanted)
    return missing


class FilterModule(object):
    def filters(self):
        return {'dpkg_missing': dpkg_missing}
