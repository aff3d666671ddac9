# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""grafana.ini and provisioning documents of the grafana role.

- ``grafana_ini_errors`` (input: the merged settings, then the variable name):
  problems with the settings as a list of messages naming the variable: every
  section is a mapping of key to a scalar (string, number, boolean).
- ``grafana_ini`` (input: the merged settings): the ini text, sections and
  keys in a stable order, booleans as Grafana writes them (true/false), empty
  values left out (Grafana's default applies).
- ``grafana_datasources`` (input: ``{prometheus, alertmanager, extra}``): the
  datasource provisioning document (apiVersion 1). The Prometheus datasource
  is the default one, has a fixed uid, ``timeInterval`` set to the scrape
  interval, and basic auth whose password Grafana reads from an environment
  variable (``$NAME``), so no secret is in the file.
- ``grafana_dashboard_providers`` (input: a list of ``{name, folder,
  folder_uid, path}``): the dashboard provider document: read-only file
  providers (edits in the UI are not kept; the files are the truth).
- ``grafana_provisioning_errors`` (input: a provisioning document, then its
  kind, ``datasources`` or ``dashboards``, then the variable name): what
  Grafana would refuse: apiVersion, the list key, names, types, URLs,
  duplicate names and uids, more than one default datasource.
- ``grafana_dashboard_errors`` (input: ``{path: JSON text}`` of the dashboard
  files to provision, then the variable name): files that are not a
  dashboard object, lack a title or a uid (Grafana would give a provisioned
  dashboard without one a new uid, breaking links), have a uid Grafana
  refuses (over 40 characters, or characters other than letters, digits,
  ``-`` and ``_``), or share a uid with another file.
- ``grafana_dashboard_uids`` (same input): the uids, sorted.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible.errors import AnsibleFilterError
from ansible.module_utils.six import string_types

_URL = re.compile(r'^https?://[^/\s:]+(:[0-9]+)?(/\S*)?$')
_SCALARS = string_types + (bool, int, float)


def _is_mapping(value):
    return isinstance(value, dict)


def grafana_ini_errors(settings, variable='grafana_ini'):
    """Messages about settings that cannot be written as grafana.ini."""
    if not _is_mapping(settings):
        return ['%s must be a mapping of section to settings, got %s' % (variable, type(settings).__name__)]
    errors = []
    for section, keys in settings.items():
        if not _is_mapping(keys):
            errors.append('%s.%s must be a mapping of key to value (an ini section), got %s'
                          % (variable, section, type(keys).__name__))
            continue
        for key, value in keys.items():
            if value is not None and not isinstance(value, _SCALARS):
                errors.append('%s.%s.%s must be a string, number or boolean, got %s'
                              % (variable, section, key, type(value).__name__))
            elif isinstance(value, string_types) and '\n' in value:
                errors.append('%s.%s.%s must be one line' % (variable, section, key))
    return errors


def _ini_value(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


def grafana_ini(settings):
    """grafana.ini text of the settings; empty values are left out."""
    errors = grafana_ini_errors(settings)
    if errors:
        raise AnsibleFilterError('; '.join(errors))
    lines = []
    for section in sorted(settings):
        keys = settings[section]
        body = ['%s = %s' % (key, _ini_value(keys[key])) for key in sorted(keys)
                if keys[key] is not None and _ini_value(keys[key]) != '']
        if body:
            lines.append('[%s]' % section)
            lines.extend(body)
            lines.append('')
    return '\n'.join(lines)


def grafana_datasources(settings):
    """The datasource provisioning document."""
    prom = settings['prometheus']
    datasource = {
        'name': prom['name'],
        'uid': prom['uid'],
        'type': 'prometheus',
        'access': 'proxy',
        'url': prom['url'],
        'isDefault': True,
        'editable': False,
        'jsonData': {'timeInterval': prom['time_interval'], 'httpMethod': 'POST'},
    }
    secure = {}
    if prom.get('basic_auth_user'):
        datasource['basicAuth'] = True
        datasource['basicAuthUser'] = prom['basic_auth_user']
        if prom.get('basic_auth_password_env'):
            secure['basicAuthPassword'] = '$' + prom['basic_auth_password_env']
    if prom.get('tls_ca'):
        datasource['jsonData']['tlsAuthWithCACert'] = True
        secure['tlsCACert'] = prom['tls_ca']
    if secure:
        datasource['secureJsonData'] = secure
    datasources = [datasource]
    alertmanager = settings.get('alertmanager') or {}
    if alertmanager.get('url'):
        datasources.append({
            'name': 'Alertmanager',
            'uid': alertmanager['uid'],
            'type': 'alertmanager',
            'access': 'proxy',
            'url': alertmanager['url'],
            'editable': False,
            'jsonData': {'implementation': 'prometheus', 'handleGrafanaManagedAlerts': False},
        })
    datasources.extend(settings.get('extra') or [])
    return {'apiVersion': 1, 'datasources': datasources}


def grafana_dashboard_providers(providers):
    """The dashboard provider document: read-only file providers."""
    result = []
    for provider in providers:
        entry = {
            'name': provider['name'],
            'type': 'file',
            'folder': provider['folder'],
            'disableDeletion': True,
            'allowUiUpdates': False,
            # Files are re-read on their own; the role also asks for a reload.
            'updateIntervalSeconds': 30,
            'options': {'path': provider['path']},
        }
        if provider.get('folder_uid'):
            entry['folderUid'] = provider['folder_uid']
        result.append(entry)
    return {'apiVersion': 1, 'providers': result}


def _check_unique(items, key, what, errors):
    seen = set()
    for item in items:
        value = item.get(key) if _is_mapping(item) else None
        if value in (None, ''):
            continue
        if value in seen:
            errors.append('%s: two %s have the %s %r' % (what, 'entries', key, value))
        seen.add(value)


def grafana_provisioning_errors(document, kind, variable='grafana_datasources_extra'):
    """Messages about a provisioning document that Grafana would refuse."""
    if not _is_mapping(document):
        return ['%s: a provisioning file must be a mapping' % variable]
    errors = []
    if document.get('apiVersion') != 1:
        errors.append('%s: apiVersion must be 1, got %r' % (variable, document.get('apiVersion')))
    key = 'datasources' if kind == 'datasources' else 'providers'
    items = document.get(key)
    if not isinstance(items, list):
        return errors + ['%s: %s must be a list' % (variable, key)]
    for index, item in enumerate(items):
        where = '%s[%d]' % (variable, index)
        if not _is_mapping(item):
            errors.append('%s must be a mapping' % where)
            continue
        if not item.get('name'):
            errors.append('%s needs a name' % where)
        if kind == 'datasources':
            if not item.get('type'):
                errors.append('%s (%s) needs a type' % (where, item.get('name')))
            url = item.get('url')
            if item.get('type') in ('prometheus', 'alertmanager', 'loki') and not (
                    isinstance(url, string_types) and _URL.match(url)):
                errors.append('%s (%s): url must be an http(s) URL, got %r' % (where, item.get('name'), url))
            for sub in ('jsonData', 'secureJsonData'):
                if sub in item and not _is_mapping(item[sub]):
                    errors.append('%s (%s): %s must be a mapping' % (where, item.get('name'), sub))
        else:
            if item.get('type', 'file') != 'file':
                errors.append('%s: only file providers are supported, got %r' % (where, item.get('type')))
            options = item.get('options')
            if not _is_mapping(options) or not str(options.get('path', '')).startswith('/'):
                errors.append('%s (%s): options.path must be an absolute path' % (where, item.get('name')))
    _check_unique(items, 'name', variable, errors)
    _check_unique(items, 'uid', variable, errors)
    if kind == 'datasources':
        defaults = [item.get('name') for item in items if _is_mapping(item) and item.get('isDefault')]
        if len(defaults) > 1:
            errors.append('%s: only one datasource may be the default, got %s' % (variable, ', '.join(map(str, defaults))))
    return errors


_UID = re.compile(r'^[A-Za-z0-9_-]{1,40}$')


def _dashboards(texts):
    """(path, parsed or None, error) per file, in path order."""
    for path in sorted(texts):
        try:
            doc = json.loads(texts[path])
        except ValueError as e:
            yield path, None, 'is not JSON (%s)' % e
            continue
        if not _is_mapping(doc):
            yield path, None, 'is not a dashboard (a JSON object)'
            continue
        yield path, doc, None


def grafana_dashboard_errors(texts, variable='grafana_dashboards_local_dir'):
    """Messages about dashboard files Grafana would refuse or provision badly."""
    errors = []
    owners = {}
    for path, doc, error in _dashboards(texts):
        where = '%s: %s' % (variable, path)
        if error:
            errors.append('%s %s' % (where, error))
            continue
        if not isinstance(doc.get('title'), string_types) or not doc['title'].strip():
            errors.append('%s has no title' % where)
        uid = doc.get('uid')
        if not isinstance(uid, string_types) or not uid:
            errors.append('%s has no uid (give each dashboard a fixed uid so links to it keep working)' % where)
            continue
        if not _UID.match(uid):
            errors.append('%s: uid %r must be 1 to 40 letters, digits, - or _' % (where, uid))
        owners.setdefault(uid, []).append(path)
    for uid in sorted(owners):
        if len(owners[uid]) > 1:
            errors.append('%s: uid %r is used by %s (Grafana keeps only one)' % (variable, uid, ', '.join(owners[uid])))
    return errors


def grafana_dashboard_uids(texts):
    """The uids of the dashboard files, sorted."""
    errors = grafana_dashboard_errors(texts)
    if errors:
        raise AnsibleFilterError('; '.join(errors))
    return sorted(doc['uid'] for _path, doc, _error in _dashboards(texts))


class FilterModule(object):
    def filters(self):
        return {
            'grafana_ini': grafana_ini,
            'grafana_ini_errors': grafana_ini_errors,
            'grafana_datasources': grafana_datasources,
            'grafana_dashboard_providers': grafana_dashboard_providers,
            'grafana_provisioning_errors': grafana_provisioning_errors,
            'grafana_dashboard_errors': grafana_dashboard_errors,
            'grafana_dashboard_uids': grafana_dashboard_uids,
        }
