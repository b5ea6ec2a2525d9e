# Every watcher of the pillar's services (but those with autostart = false) is running. `unless`
# makes a healthy watcher cost one `ringctl check`; otherwise `ringctl --json start NAME --wait`
# starts it and blocks until it is active. Its JSON carries "changed", which Salt reads
# (stateful): a watcher that was already active reports no change.
{%- from "ringmaster/map.jinja" import ringmaster with context %}

include:
  - ringmaster.service
{%- for service in ringmaster.services.values() %}
{%- for watcher, options in service.get('watchers', {}).items() if options.get('autostart', True) %}

ringmaster-watcher-{{ watcher }}:
  cmd.run:
    - name: {{ ringmaster.ringctl }} --json --timeout {{ ringmaster.start_timeout }} start {{ watcher }} --wait
    - unless: {{ ringmaster.ringctl }} check {{ watcher }}
    - stateful: True
    - require:
      - cmd: ringmaster-reload
{%- endfor %}
{%- endfor %}
