# Web hosts: the web application on a socket held by ringd (workers replaced without losing a
# connection), ready when it answers HTTP, output to a rotated file.
ringmaster:
  agent:
    config:
      agent:
        labels:
          role: web
  services:
    web:
      sockets:
        web:
          host: 0.0.0.0
          port: 8080
      watchers:
        web:
          cmd: /srv/web/current/bin/server --fd $(circus.sockets.web)
          numprocesses: 4
          uid: www-data
          ready_check: http://127.0.0.1:8080/health
          ready_timeout: 30s
          graceful_timeout: 30s
          stdout_stream:
            filename: /var/log/ringmaster/web.log
            max_bytes: 10485760
            backup_count: 5
