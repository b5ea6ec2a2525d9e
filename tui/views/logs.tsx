/** The log pane (a watcher's or a process's output, live or paused, scrolled back) and the output of a command line. */
import React, { useSyncExternalStore } from 'react';
import { Box, Text } from 'ink';
import type { LogBuffer, LogEntry } from '../data/logbuffer.ts';
import { clock } from '../format.ts';
import type { Frame } from '../ui/state.ts';

function entryLine(e: LogEntry, multiHost: boolean): React.ReactNode {
  if (e.note !== null) return <Text color="yellow">{`-- ${e.note}`}</Text>;
  const l = e.line;
  return (
    <Text>
      <Text dimColor>{`${clock(l.time)} ${multiHost && l.host ? `${l.host} ` : ''}[${l.pid}] `}</Text>
      {l.stream === 'stderr' ? <Text color="red">{'! '}</Text> : null}
      {l.line}
    </Text>
  );
}

export function LogPane({ buffer, frame, height, multiHost }: { buffer: LogBuffer; frame: Frame; height: number; multiHost: boolean }) {
  useSyncExternalStore(buffer.subscribe, buffer.getVersion);
  const s = frame.screen;
  const pid = s.kind === 'logs' ? s.pid : null;
  const entries = buffer.entries().filter((e) => (frame.pausedAt === null || e.seq <= frame.pausedAt) && (pid === null || e.note !== null || e.line.pid === pid));
  const offset = Math.min(frame.offset, Math.max(0, entries.length - height));
  const shown = entries.slice(Math.max(0, entries.length - offset - height), entries.length - offset);
  return (
    <Box flexDirection="column" height={height}>
      {shown.length === 0 && <Text dimColor>waiting for output…</Text>}
      {shown.map((e) => <Text key={e.seq} wrap="truncate">{entryLine(e, multiHost)}</Text>)}
    </Box>
  );
}

export function OutputPane({ lines, offset, height, level }: { lines: readonly string[]; offset: number; height: number; level: 'info' | 'ok' | 'error' }) {
  return (
    <Box flexDirection="column" height={height}>
      {lines.slice(offset, offset + height).map((l, i) => <Text key={i} wrap="truncate" color={level === 'error' ? 'red' : undefined}>{l || ' '}</Text>)}
    </Box>
  );
}
