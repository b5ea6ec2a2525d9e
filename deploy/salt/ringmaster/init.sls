# The ringmaster formula: the package and its systemd units, ringd's configuration from pillar
# (ringd.toml and one conf.d/<service>.toml per service, each checked before it is written), a
# reload only when a file changed, the watchers kept running, and the controller where enabled.
# Pillar: ../pillar/ringmaster/ (3 web hosts, 1 worker host). docs/operations.md explains it.
include:
  - ringmaster.install
  - ringmaster.config
  - ringmaster.service
  - ringmaster.watchers
  - ringmaster.controller
