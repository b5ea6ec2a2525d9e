# The worker host: the ingest pipeline (stopped by a Redis flag, drains for up to ten minutes,
# replaced every few hours to contain memory growth), mail senders, and a report job started by
# hand (autostart: false, so Salt leaves it alone).
ringmaster:
  agent:
    config:
      agent:
        labels:
          role: worker
  services:
    ingest:
      watchers:
        ingest:
          cmd: /srv/pipeline/bin/ingest --worker $(circus.wid)
          numprocesses: 8
          stop_signal: none
          graceful_timeout: 10m
          max_age: 6h
          max_age_variance: 30m
          hooks:
            before_stop: redis-cli -p 6379 set stop:ingest 1
            after_start:
              cmd: redis-cli -p 6379 del stop:ingest
              timeout: 5s
          stdout_stream:
            filename: /var/log/ringmaster/ingest.log
            max_bytes: 104857600
            backup_count: 5
    mailer:
      watchers:
        mailer:
          cmd: /srv/pipeline/bin/mailer
          numprocesses: 2
          graceful_timeout: 30s
    reports:
      watchers:
        reports:
          cmd: /srv/pipeline/bin/reports --nightly
          autostart: false
