# Pillar of the example fleet: three web hosts (web-1, web-2, web-3) and one worker host
# (worker-1, which also runs the controller). NATS is the three-node cluster of
# deploy/nats/cluster.conf on 10.0.0.9-11. Copy to your pillar root and adapt.
base:
  '*':
    - ringmaster
    - ringmaster.secrets
  'web-*':
    - ringmaster.web
  'worker-*':
    - ringmaster.worker
  'worker-1*':
    - ringmaster.controller
