# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The web config (TLS and basic auth) of the Prometheus-family services.

node_exporter, Prometheus and Alertmanager (and dcgm-exporter) read the same
exporter-toolkit file (``--web.config.file``): ``tls_server_config`` with a
certificate and key, ``basic_auth_users`` mapping names to bcrypt hashes.
``roles/common/tasks/web_config.yml`` writes it; these filters check a
role's settings before any change and compute the file's content.

A role's settings are one mapping whose keys are the variable names with the
role's prefix removed: ``tls_cert`` and ``tls_key`` (PEM content, written
next to the web config), or ``tls_cert_file`` and ``tls_key_file`` (files
already on the host), and ``basic_auth_users``.

- ``web_config_errors(settings, prefix)``: what is wrong, naming
  ``prefix + key`` (``[]`` when fine).
- ``web_config(settings, cert_path, key_path)``: the file's content as a
  mapping, ``{}`` when nothing is set (no web config: plain HTTP, no auth).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

KEYS = ('tls_cert', 'tls_key', 'tls_cert_file', 'tls_key_file', 'basic_auth_users')
# bcrypt as exporter-toolkit accepts it: $2a$, $2b$ or $2y$, cost, 53 characters.
BCRYPT = re.compile(r'^\$2[aby]?\$[0-9]{2}\$[./A-Za-z0-9]{53}$')
USER = re.compile(r'^[^:\s]+$')


def _text(settings, key):
    value = settings.get(key)
    return '' if value is None else value


def web_config_errors(settings, prefix):
    """Every problem of the settings, each naming its variable; never a value."""
    if not isinstance(settings, Mapping):
        raise AnsibleFilterError('web_config_errors takes a mapping of settings, got %r' % (type(settings).__name__,))
    unknown = sorted(set(settings) - set(KEYS))
    if unknown:
        raise AnsibleFilterError('web_config_errors: unknown setting(s) %s' % ', '.join(unknown))
    errors = []
    name = dict((key, prefix + key) for key in KEYS)
    for key in ('tls_cert', 'tls_key', 'tls_cert_file', 'tls_key_file'):
        if not isinstance(_text(settings, key), str):
            errors.append('%s must be a string' % name[key])
    if errors:
        return errors
    cert, key = _text(settings, 'tls_cert').strip(), _text(settings, 'tls_key').strip()
    cert_file, key_file = _text(settings, 'tls_cert_file').strip(), _text(settings, 'tls_key_file').strip()
    if 'tls_cert' in settings or 'tls_key' in settings:
        if bool(cert) != bool(key):
            errors.append('%s and %s must be given together' % (name['tls_cert'], name['tls_key']))
        if cert and not cert.startswith('-----BEGIN CERTIFICATE-----'):
            errors.append('%s must be a PEM certificate (-----BEGIN CERTIFICATE-----, the chain after it)'
                          % name['tls_cert'])
        if key and not re.match(r'^-----BEGIN ([A-Z]+ )?PRIVATE KEY-----', key):
            errors.append('%s must be a PEM private key (-----BEGIN PRIVATE KEY-----)' % name['tls_key'])
    if 'tls_cert_file' in settings or 'tls_key_file' in settings:
        if bool(cert_file) != bool(key_file):
            errors.append('%s and %s must be given together' % (name['tls_cert_file'], name['tls_key_file']))
        for k, path in (('tls_cert_file', cert_file), ('tls_key_file', key_file)):
            if path and not path.startswith('/'):
                errors.append('%s must be an absolute path on the host' % name[k])
        if cert and cert_file:
            errors.append('%s and %s are exclusive: the certificate as content, or as a file on the host'
                          % (name['tls_cert'], name['tls_cert_file']))
    users = settings.get('basic_auth_users')
    if users is None:
        users = {}
    if not isinstance(users, Mapping):
        errors.append('%s must map user names to bcrypt hashes' % name['basic_auth_users'])
        return errors
    for user in sorted(users, key=str):
        if not isinstance(user, str) or not USER.match(user):
            errors.append("%s: user %r needs a name without ':' or white space" % (name['basic_auth_users'], user))
        if not isinstance(users[user], str) or not BCRYPT.match(users[user]):
            # The value may be a clear-text password: it is never shown.
            errors.append("%s: user %r needs a bcrypt hash ($2y$...) as its value, never a clear-text password "
                          "(htpasswd -nBC 12 '' | tr -d ':\\n')" % (name['basic_auth_users'], user))
    return errors


def web_config(settings, cert_path, key_path):
    """The web config file's content; {} when neither TLS nor basic auth is set."""
    errors = web_config_errors(settings, '')
    if errors:
        raise AnsibleFilterError('web_config: %s' % '; '.join(errors))
    data = {}
    if _text(settings, 'tls_cert').strip():
        data['tls_server_config'] = {'cert_file': cert_path, 'key_file': key_path}
    elif _text(settings, 'tls_cert_file').strip():
        data['tls_server_config'] = {'cert_file': settings['tls_cert_file'].strip(),
                                     'key_file': settings['tls_key_file'].strip()}
    users = settings.get('basic_auth_users') or {}
    if users:
        data['basic_auth_users'] = dict((user, users[user]) for user in sorted(users))
    return data


class FilterModule(object):
    def filters(self):
        return {
            'web_config_errors': web_config_errors,
            'web_config': web_config,
        }
