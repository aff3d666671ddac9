#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: path_state
short_description: Compare many paths with their desired state in one call
version_added: 0.2.0
description:
  - Reads the state of many paths on the host at once (type, mode, owner, group, and the
    checksum of regular files when asked) and says which of them differ from the desired state
    given for each.
  - Meant to be followed by the normal modules (M(ansible.builtin.file), M(ansible.builtin.template),
    M(ansible.builtin.copy)) for the differing paths only, so a converged host costs one round
    trip for many paths while C(--check) and C(--diff) keep their meaning for the ones that change.
  - The module only reads; it never reports a change.
author:
  - llmops contributors (@llmops)
attributes:
  check_mode:
    support: full
    description: The module only reads, so it does the same in check mode.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to diff.
options:
  paths:
    description:
      - The paths and their desired state. An entry is a path (only its facts are wanted) or a
        dict with the keys below; fields that are not given are not compared.
      - C(path) (required), absolute; symbolic links are followed, as M(ansible.builtin.file) does.
      - C(state), V(any) (default) compares nothing but the other fields when the path exists;
        V(file) and V(directory) want that type; V(absent) wants nothing there.
      - C(mode), the wanted permission bits as an octal string, for example V('0644').
      - C(owner) and C(group), a name or a numeric id.
      - C(checksum), the wanted checksum of a regular file's content (hex), in O(checksum_algorithm).
      - C(get_checksum), return the checksum of a regular file even when C(checksum) is not given.
    type: list
    elements: raw
    required: true
  get_checksum:
    description: Return the checksum of every regular file listed (the default of C(get_checksum) in each entry).
    type: bool
    default: false
  checksum_algorithm:
    description: The algorithm of the C(checksum) of O(paths) entries and of the returned checksums.
    type: str
    choices: [sha1, sha256]
    default: sha1
'''

EXAMPLES = r'''
- name: Find which directories of a service differ
  llmops.vllm_stack.path_state:
    paths:
      - {path: /etc/prometheus, state: directory, owner: root, group: prometheus, mode: "0750"}
      - {path: /var/lib/prometheus, state: directory, owner: prometheus, group: prometheus, mode: "0750"}
  register: dirs

- name: Create or repair only those
  ansible.builtin.file:
    path: "{{ item.path }}"
    state: directory
    owner: "{{ item.owner }}"
    group: "{{ item.group }}"
    mode: "{{ item.mode }}"
  loop: "{{ wanted | selectattr('path', 'in', dirs.differ) }}"
'''

RETURN = r'''
differ:
  description: The paths whose state differs from the desired state, in the order given.
  returned: always
  type: list
  elements: str
  sample: [/etc/prometheus]
paths:
  description: What was found, per path.
  returned: always
  type: dict
  sample:
    /etc/prometheus/prometheus.yml:
      exists: true
      type: file
      mode: "0640"
      owner: root
      group: prometheus
      checksum: 5f0c8a0c4c1c2c3e1bd8e1f2d1a9e1d0b3c4d5e6
      differs: [checksum]
'''

import grp
import hashlib
import os
import pwd
import stat

from ansible.module_utils.basic import AnsibleModule


def _type_of(st):
    if stat.S_ISREG(st.st_mode):
        return 'file'
    if stat.S_ISDIR(st.st_mode):
        return 'directory'
    return 'other'


def _user_name(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _group_name(gid):
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def _digest(path, algorithm):
    digest = hashlib.new(algorithm)
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def _owner_matches(wanted, name, number):
    return wanted == name or (wanted.isdigit() and int(wanted) == number)


def inspect(entry, algorithm='sha1'):
    """Facts of one path and the list of its fields that differ from the entry."""
    path = entry['path']
    wanted_state = entry.get('state') or 'any'
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        found = {'exists': False}
        found['differs'] = [] if wanted_state in ('any', 'absent') else ['state']
        return found

    kind = _type_of(st)
    found = {
        'exists': True,
        'type': kind,
        'mode': '%04o' % stat.S_IMODE(st.st_mode),
        'owner': _user_name(st.st_uid),
        'group': _group_name(st.st_gid),
    }
    differs = []
    if wanted_state == 'absent' or (wanted_state in ('file', 'directory') and kind != wanted_state):
        differs.append('state')
    if entry.get('mode') is not None and int(entry['mode'], 8) != stat.S_IMODE(st.st_mode):
        differs.append('mode')
    if entry.get('owner') is not None and not _owner_matches(entry['owner'], found['owner'], st.st_uid):
        differs.append('owner')
    if entry.get('group') is not None and not _owner_matches(entry['group'], found['group'], st.st_gid):
        differs.append('group')
    if kind == 'file' and (entry.get('checksum') or entry.get('get_checksum')):
        found['checksum'] = _digest(path, algorithm)
        if entry.get('checksum') and entry['checksum'].lower() != found['checksum']:
            differs.append('checksum')
    elif entry.get('checksum'):
        differs.append('checksum')
    found['differs'] = differs
    return found


STATES = ('any', 'file', 'directory', 'absent')
KEYS = ('path', 'state', 'mode', 'owner', 'group', 'checksum', 'get_checksum')


def normalize(raw, get_checksum=False):
    """(entry, None) for a path or an entry dict, (None, message) when it is malformed."""
    entry = {'path': raw} if isinstance(raw, str) else dict(raw) if isinstance(raw, dict) else None
    if entry is None or not isinstance(entry.get('path'), str) or not entry['path'].startswith('/'):
        return None, 'each entry needs an absolute path, got %r' % (raw,)
    unknown = sorted(set(entry) - set(KEYS))
    if unknown:
        return None, 'unknown keys %s in the entry of %s' % (', '.join(unknown), entry['path'])
    entry.setdefault('state', 'any')
    entry.setdefault('get_checksum', get_checksum)
    if entry['state'] not in STATES:
        return None, 'state %r of %s is not one of %s' % (entry['state'], entry['path'], ', '.join(STATES))
    for key in ('mode', 'owner', 'group', 'checksum'):
        if entry.get(key) is not None:
            entry[key] = str(entry[key])
    if entry.get('mode') is not None:
        try:
            int(entry['mode'], 8)
        except ValueError:
            return None, 'mode %r of %s is not an octal string' % (entry['mode'], entry['path'])
    return entry, None


def main():
    module = AnsibleModule(
        argument_spec=dict(
            paths=dict(type='list', elements='raw', required=True),
            get_checksum=dict(type='bool', default=False),
            checksum_algorithm=dict(type='str', default='sha1', choices=['sha1', 'sha256']),
        ),
        supports_check_mode=True,
    )
    facts = {}
    differ = []
    for raw in module.params['paths']:
        entry, error = normalize(raw, module.params['get_checksum'])
        if error:
            module.fail_json(msg='path_state: %s' % error)
        try:
            found = inspect(entry, module.params['checksum_algorithm'])
        except OSError as error:
            module.fail_json(msg="path_state: cannot read %s: %s" % (entry['path'], error))
        facts[entry['path']] = found
        if found['differs'] and entry['path'] not in differ:
            differ.append(entry['path'])
    module.exit_json(changed=False, paths=facts, differ=differ)


if __name__ == '__main__':
    main()
