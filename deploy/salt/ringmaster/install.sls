# Node, the ringmaster package (npm, from pillar ringmaster:install:package: a tarball made by
# `npm pack`, a registry name or a git URL), the systemd units and the directory layout it ships.
{%- from "ringmaster/map.jinja" import ringmaster with context %}
{%- set install = ringmaster.install %}

ringmaster-node:
  pkg.installed:
    - name: {{ install.node_pkg }}

ringmaster-package:
  cmd.run:
    - name: npm install --global --prefix {{ install.prefix }} {{ install.package }}
    - unless: test "$({{ install.prefix }}/bin/ringd --version)" = "ringd {{ install.version }}"
    - require:
      - pkg: ringmaster-node

{%- for unit in ['ringd.service', 'ringmaster.service'] %}

ringmaster-unit-{{ unit }}:
  file.managed:
    - name: /etc/systemd/system/{{ unit }}
    - source: {{ ringmaster.pkgdir }}/deploy/systemd/{{ unit }}
    - mode: '0644'
    - require:
      - cmd: ringmaster-package
{%- endfor %}

ringmaster-daemon-reload:
  cmd.run:
    - name: systemctl daemon-reload
    - onchanges:
      - file: ringmaster-unit-ringd.service
      - file: ringmaster-unit-ringmaster.service

ringmaster-tmpfiles:
  file.managed:
    - name: /etc/tmpfiles.d/ringmaster.conf
    - source: {{ ringmaster.pkgdir }}/deploy/systemd/ringmaster.tmpfiles
    - mode: '0644'
    - require:
      - cmd: ringmaster-package

ringmaster-tmpfiles-create:
  cmd.run:
    - name: systemd-tmpfiles --create /etc/tmpfiles.d/ringmaster.conf
    - onchanges:
      - file: ringmaster-tmpfiles
