# State top file of the example: the ringmaster formula on every host (the controller only where
# the pillar enables it). Put deploy/salt in your file_roots (or copy ringmaster/ there).
base:
  '*':
    - ringmaster
