"""Renders Salt states the way salt-call does for the parts the ringmaster formula uses (no Salt here).

Compiles the pillar of one minion from a pillar top file (glob targets, recursive merge), renders the
state tree's SLS files through Jinja (salt['pillar.get'] with merge, grains, the `do` extension,
imports from the file root) then YAML, follows `include`, and renders every file.managed template
(salt:// source, template: jinja, context) with the same variables.

  python3 salt_render.py FILE_ROOT PILLAR_ROOT MINION_ID SLS [EXTRA_PILLAR_JSON]

Prints {"pillar": …, "states": [{"id", "state", "fun", "args", "sls", "rendered"?}, …]} in
definition order, or exits 1 with the problem on stderr.
"""
import copy
import fnmatch
import json
import os
import sys

import jinja2
import yaml


def merge(dest, upd):
    """Salt's recursive dict merge: dicts merge key by key, anything else is replaced."""
    for key, value in upd.items():
        if isinstance(value, dict) and isinstance(dest.get(key), dict):
            merge(dest[key], value)
        else:
            dest[key] = copy.deepcopy(value)
    return dest


class Salt:
    def __init__(self, file_root, minion_id):
        self.file_root = file_root
        self.grains = {'id': minion_id, 'host': minion_id.split('.')[0], 'os_family': 'Debian', 'kernel': 'Linux'}
        self.pillar = {}
        self.funcs = {'pillar.get': self.pillar_get, 'grains.get': lambda key, default='': self.grains.get(key, default)}

    def pillar_get(self, key, default='', merge=False, delimiter=':'):
        value = self.pillar
        for part in key.split(delimiter):
            if not isinstance(value, dict) or part not in value:
                return default
            value = value[part]
        if merge and isinstance(default, dict) and isinstance(value, dict):
            return globals()['merge'](copy.deepcopy(default), value)
        return value

    def env(self, root):
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(root), extensions=['jinja2.ext.do'],
                                 undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
        env.globals.update(salt=self.funcs, grains=self.grains, pillar=self.pillar, opts={})
        return env

    def render(self, root, path, **context):
        return self.env(root).get_template(path).render(**context)


def sls_path(root, name):
    base = name.replace('.', '/')
    for candidate in (base + '.sls', base + '/init.sls'):
        if os.path.isfile(os.path.join(root, candidate)):
            return candidate
    raise SystemExit(f'no SLS {name} under {root}')


def compile_pillar(salt, pillar_root):
    top = yaml.safe_load(salt.render(pillar_root, 'top.sls')) or {}
    for target, names in top.get('base', {}).items():
        if fnmatch.fnmatch(salt.grains['id'], target):
            for name in names:
                data = yaml.safe_load(salt.render(pillar_root, sls_path(pillar_root, name))) or {}
                merge(salt.pillar, data)


def normalize(state_id, body, sls):
    """{'file.managed': [{name: …}, …]} → one record with the arguments merged."""
    (key, arglist), = body.items()
    state, fun = key.split('.', 1)
    args = {}
    for item in arglist or []:
        args.update(item)
    return {'id': state_id, 'state': state, 'fun': fun, 'args': args, 'sls': sls}


def compile_states(salt, file_root, name, seen, out):
    if name in seen:
        return
    seen.add(name)
    data = yaml.safe_load(salt.render(file_root, sls_path(file_root, name), sls=name)) or {}
    for inc in data.pop('include', []) or []:
        compile_states(salt, file_root, inc, seen, out)
    for state_id, body in data.items():
        if any(s['id'] == state_id for s in out):
            raise SystemExit(f'state id {state_id} defined twice (in {name})')
        record = normalize(state_id, body, name)
        args = record['args']
        source = args.get('source', '')
        if record['fun'] == 'managed' and args.get('template') == 'jinja' and source.startswith('salt://'):
            record['rendered'] = salt.render(file_root, source[len('salt://'):], **(args.get('context') or {}))
        out.append(record)


def main():
    file_root, pillar_root, minion_id, sls = sys.argv[1:5]
    salt = Salt(file_root, minion_id)
    compile_pillar(salt, pillar_root)
    if len(sys.argv) > 5:
        merge(salt.pillar, json.loads(sys.argv[5]))
    states = []
    compile_states(salt, file_root, sls, set(), states)
    json.dump({'pillar': salt.pillar, 'states': states}, sys.stdout)


if __name__ == '__main__':
    try:
        main()
    except (jinja2.TemplateError, yaml.YAMLError) as err:
        print(f'salt_render: {type(err).__name__}: {err}', file=sys.stderr)
        sys.exit(1)
