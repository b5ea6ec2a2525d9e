# ringd's files: /etc/ringmaster/ringd.toml, one conf.d/<service>.toml per pillar service (each
# validated by `ringd --check-config` before it replaces the old one: a bad pillar changes
# nothing), the secrets file read by ringd.service, and the fleet key. A service removed from the
# pillar loses its file (the directory is cleaned), and ringd its watchers at the next reload.
{%- from "ringmaster/map.jinja" import ringmaster with context %}

ringmaster-ringd-toml:
  file.managed:
    - name: /etc/ringmaster/ringd.toml
    - source: salt://ringmaster/files/ringd.toml.jinja
    - template: jinja
    - mode: '0644'
    - makedirs: True
    - check_cmd: ringd --check-config

# Read when ringd starts: a change here needs `systemctl restart ringd` (which restarts every
# watcher), so it is left to the operator.
ringmaster-ringd-env:
  file.managed:
    - name: /etc/ringmaster/ringd.env
    - source: salt://ringmaster/files/env.jinja
    - template: jinja
    - context:
        env: {{ ringmaster.agent.env | tojson }}
    - mode: '0600'
    - makedirs: True
{%- if ringmaster.fleet_key %}

ringmaster-fleet-key:
  file.managed:
    - name: /etc/ringmaster/fleet.key
    - contents_pillar: ringmaster:fleet_key
    - mode: '0600'
    - makedirs: True
{%- endif %}
{%- for name in ringmaster.services %}

ringmaster-conf-{{ name }}:
  file.managed:
    - name: /etc/ringmaster/conf.d/{{ name }}.toml
    - source: salt://ringmaster/files/service.toml.jinja
    - template: jinja
    - context:
        name: {{ name }}
    - mode: '0644'
    - makedirs: True
    - check_cmd: ringd --check-config
    - require_in:
      - file: ringmaster-conf-dir
{%- endfor %}

ringmaster-conf-dir:
  file.directory:
    - name: /etc/ringmaster/conf.d
    - makedirs: True
    - clean: True
