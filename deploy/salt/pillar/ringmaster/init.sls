# What every host shares: where the package comes from, the agent's identity (the short minion id,
# which is also its NATS user in auth.conf) and the fleet's NATS servers and discovery key.
{%- set id = grains['id'].split('.')[0] %}
ringmaster:
  install:
    package: /srv/salt-files/ringmaster-0.1.0.tgz   # `npm pack` output, or a registry name / git URL
    version: 0.1.0
  agent:
    config:
      agent:
        id: {{ id }}
        labels:
          dc: par1
      nats:
        servers:
          - nats://10.0.0.9:4222
          - nats://10.0.0.10:4222
          - nats://10.0.0.11:4222
        user: {{ id }}
        password: $(circus.env.NATS_PASSWORD)   # from /etc/ringmaster/ringd.env (secrets.sls)
      discovery:
        key_file: /etc/ringmaster/fleet.key
