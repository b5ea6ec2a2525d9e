# One service by hand, without the formula: the web watcher's file in /etc/ringmaster/conf.d/
# (checked by ringd before it is written), a reload only when it changed, and the watcher kept
# running through ringctl: `ringctl --json start` on an active watcher succeeds with
# "changed": false (read by Salt: stateful), and --wait blocks until it is active.
# The full formula (package, units, ringd.toml, every service from pillar) is ringmaster/.

/etc/ringmaster/conf.d/web.toml:
  file.managed:
    - source: salt://files/web.toml
    - mode: '0644'
    - check_cmd: ringd --check-config

ringd-reload-config:
  cmd.run:
    - name: ringctl --endpoint tcp://127.0.0.1:5555 --json reloadconfig --wait
    - onchanges:
      - file: /etc/ringmaster/conf.d/web.toml

web-running:
  cmd.run:
    - name: ringctl --endpoint tcp://127.0.0.1:5555 --json --timeout 120 start web --wait
    - unless: ringctl --endpoint tcp://127.0.0.1:5555 check web
    - stateful: True
    - require:
      - cmd: ringd-reload-config
