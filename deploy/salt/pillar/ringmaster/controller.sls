# The controller runs on worker-1. Its fleet key comes from ringmaster.service's LoadCredential.
ringmaster:
  controller:
    enabled: true
    config:
      controller:
        id: ringmaster-par1
        audit_file: /var/lib/ringmaster/audit.jsonl
        jetstream_replicas: 3 # one per NATS node
      nats:
        servers:
          - nats://10.0.0.9:4222
          - nats://10.0.0.10:4222
          - nats://10.0.0.11:4222
        user: ringmaster
        password: $(circus.env.NATS_PASSWORD)
      discovery:
        key_file: /run/credentials/ringmaster.service/fleet.key
