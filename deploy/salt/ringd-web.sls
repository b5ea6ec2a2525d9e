# Salt state: a web watcher on every host of the role, driven idempotently through ringctl.
# `ringctl start` on a running watcher succeeds with changed: false; `--wait` blocks until active.
# (The full Salt layout — packages, the ringd service, conf.d files — comes with the deploy issue.)

/etc/ringd/conf.d/web.toml:
  file.managed:
    - source: salt://ringd/files/web.toml
    - mode: '0644'

ringd-reload-config:
  cmd.run:
    - name: ringctl reloadconfig --wait
    - onchanges:
      - file: /etc/ringd/conf.d/web.toml

web-running:
  cmd.run:
    - name: ringctl start web --wait --timeout 120
    - unless: test "$(ringctl status web)" = active
    - require:
      - cmd: ringd-reload-config

web-ready:
  cmd.run:
    - name: ringctl wait --ready web --timeout 300
    - unless: ringctl check web
    - require:
      - cmd: web-running
