# The fleet's secrets. EXAMPLE VALUES: keep the real file out of git, or encrypt it (#!jinja|yaml|gpg).
#   NATS passwords: deploy/nats/credentials.sh (agent web-1 gets RING_WEB_1_PASSWORD's value…)
#   fleet key:      head -c 32 /dev/urandom | base64
{%- set id = grains['id'].split('.')[0] %}
{%- set nats_passwords = {
  'web-1': 'pw0c5e0f4d2b8a41e6a9d3c7b15f2e8a64',
  'web-2': 'pw7a1d9c3e5b2f48a0b6e4d8c21f9a3e57',
  'web-3': 'pw4f8b2e6a0c9d41b7a5e3f1d86c2b0a93',
  'worker-1': 'pw9e3a7c1f5d2b46e0a8c4f2b97d1e6a35',
  'ringmaster': 'pw2b6f0a4e8c1d47a3b9e5c7d30f8a2e61',
} %}
ringmaster:
  fleet_key: VGhpcyBpcyBhbiBleGFtcGxlIGZsZWV0IGtleTogbWFrZSB5b3VyIG93bg==
  agent:
    env:
      NATS_PASSWORD: {{ nats_passwords.get(id, '') }}
  controller:
    env:
      NATS_PASSWORD: {{ nats_passwords.ringmaster }}
