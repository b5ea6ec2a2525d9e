# ringd runs (systemd, Type=notify: started means ready for ringctl), and reloads its files only
# when one of them changed. The reload goes through ringctl so that it is synchronous and a file
# ringd refuses fails this state (ringd keeps running on the configuration it had).
{%- from "ringmaster/map.jinja" import ringmaster with context %}

include:
  - ringmaster.install
  - ringmaster.config

ringmaster-ringd-service:
  service.running:
    - name: ringd
    - enable: True
    - require:
      - file: ringmaster-unit-ringd.service
      - cmd: ringmaster-daemon-reload
      - cmd: ringmaster-tmpfiles-create
      - file: ringmaster-ringd-toml
      - file: ringmaster-ringd-env
      - file: ringmaster-conf-dir

ringmaster-reload:
  cmd.run:
    - name: {{ ringmaster.ringctl }} --json reloadconfig --wait
    - onchanges:
      - file: ringmaster-ringd-toml
      - file: ringmaster-conf-dir
{%- for name in ringmaster.services %}
      - file: ringmaster-conf-{{ name }}
{%- endfor %}
    - require:
      - service: ringmaster-ringd-service
