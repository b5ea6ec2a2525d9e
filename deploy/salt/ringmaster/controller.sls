# The controller (ringmaster) on hosts whose pillar enables it: its file, validated by
# `ringmaster --check-config`, its secrets, and the service, restarted when either changes
# (ringmaster has no reload; agents and clients ride through the restart).
{%- from "ringmaster/map.jinja" import ringmaster with context %}
{%- if ringmaster.controller.enabled %}

include:
  - ringmaster.install
  - ringmaster.config

ringmaster-controller-toml:
  file.managed:
    - name: /etc/ringmaster/ringmaster.toml
    - source: salt://ringmaster/files/ringmaster.toml.jinja
    - template: jinja
    - mode: '0644'
    - makedirs: True
    - check_cmd: ringmaster --check-config

ringmaster-controller-env:
  file.managed:
    - name: /etc/ringmaster/ringmaster.env
    - source: salt://ringmaster/files/env.jinja
    - template: jinja
    - context:
        env: {{ ringmaster.controller.env | tojson }}
    - mode: '0600'
    - makedirs: True

ringmaster-controller-service:
  service.running:
    - name: ringmaster
    - enable: True
    - require:
      - file: ringmaster-unit-ringmaster.service
      - cmd: ringmaster-daemon-reload
{%- if ringmaster.fleet_key %}
      - file: ringmaster-fleet-key
{%- endif %}
    - watch:
      - file: ringmaster-controller-toml
      - file: ringmaster-controller-env
{%- endif %}
