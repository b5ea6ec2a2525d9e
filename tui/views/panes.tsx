/** The frame around the lists: the title line, the events pane, the message/prompt line and the status line. */
import React from 'react';
import { Box, Text } from 'ink';
import type { EventEntry, FleetState } from '../data/model.ts';
import { clock, fit } from '../format.ts';
import type { Frame, Mode, UiState } from '../ui/state.ts';
import { sortNames } from '../ui/rows.ts';
import { describeAction } from '../ui/target.ts';

const LEVEL_COLOR = { info: undefined, warn: 'yellow', error: 'red' } as const;
const STATE_TEXT = { connected: '● ', connecting: '◌ ', 'no-controller': '◌ no controller — retrying · ', disconnected: '✕ disconnected — retrying · ' } as const;
const CONN_COLOR = { connected: 'green', connecting: 'yellow', 'no-controller': 'yellow', disconnected: 'red' } as const;

/** "fleet › hosts", "fleet › web-1 › web", "fleet › web (every host) › logs". */
export function breadcrumb(stack: readonly Frame[]): string {
  return stack.map((f) => {
    const s = f.screen;
    switch (s.kind) {
      case 'fleet': return `fleet › ${s.tab}`;
      case 'host': return s.host;
      case 'watcher': return s.host === null ? `${s.watcher} (every host)` : s.watcher;
      case 'logs': return `output of ${s.pid !== null ? `pid ${s.pid}` : s.watcher}${s.host === null ? ' (every host)' : ''}`;
      case 'output': return s.title;
    }
  }).join(' › ');
}

export function TitleLine({ ui, width }: { ui: UiState; width: number }) {
  const fr = ui.stack[ui.stack.length - 1];
  const sorts = sortNames(fr.screen);
  const logs = fr.screen.kind === 'logs' ? (fr.pausedAt === null ? 'following' : 'PAUSED (Space resumes)') : '';
  const right = [fr.filter && `filter: ${fr.filter}`, sorts.length > 1 && `sort: ${sorts[fr.sort % sorts.length]}`, logs].filter(Boolean).join('  ');
  const left = `Ringmaster  ${breadcrumb(ui.stack)}`;
  const room = Math.max(0, width - right.length - 1);
  return (
    <Text wrap="truncate">
      <Text bold color="cyan">{fit(left, room)}</Text>
      <Text color={logs.startsWith('PAUSED') ? 'yellow' : undefined}>{' '}{right}</Text>
    </Text>
  );
}

export function EventsPane({ events, height, width, title }: { events: readonly EventEntry[]; height: number; width: number; title: string }) {
  const shown = events.slice(-Math.max(0, height - 1));
  return (
    <Box flexDirection="column" height={height} width={width}>
      <Text bold dimColor wrap="truncate">{`── ${title} ${'─'.repeat(Math.max(0, width - title.length - 4))}`}</Text>
      {shown.map((e, i) => (
        <Text key={i} wrap="truncate" color={LEVEL_COLOR[e.level]}>
          {`${clock(e.time)} ${e.host ? `${e.host} ` : ''}${e.watcher ? `${e.watcher}: ` : ''}${e.text}`}
        </Text>
      ))}
    </Box>
  );
}

/** The text of a line being edited, the cursor shown inverted. */
function Edited({ prompt, value, cursor }: { prompt: string; value: string; cursor: number }) {
  return (
    <Text wrap="truncate">
      <Text bold>{prompt}</Text>
      {value.slice(0, cursor)}
      <Text inverse>{value[cursor] ?? ' '}</Text>
      {value.slice(cursor + 1)}
    </Text>
  );
}

const HINT = '? help  Enter open  Esc back  / filter  : command  l logs  q quit';

export function MessageLine({ mode, message }: { mode: Mode; message: UiState['message'] }) {
  switch (mode.kind) {
    case 'filter': return <Edited prompt="/" value={mode.edit.value} cursor={mode.edit.cursor} />;
    case 'command': {
      const c = mode.completion;
      const more = c && c.candidates.length > 1 ? `  [${c.index + 1}/${c.candidates.length}: ${c.candidates.join(' ')}]` : '';
      return (
        <Text wrap="truncate">
          <Edited prompt=":" value={mode.edit.value} cursor={mode.edit.cursor} />
          <Text dimColor>{more}</Text>
        </Text>
      );
    }
    case 'confirm': {
      const what = describeAction(mode.pending);
      return <Text wrap="truncate" color="yellow" bold>{`${what[0].toUpperCase()}${what.slice(1)}? [y/N]`}</Text>;
    }
    case 'signal': return <Text wrap="truncate" color="yellow">{`Signal for ${mode.target.pid !== null ? `pid ${mode.target.pid} of ` : ''}${mode.target.label}: ↑ ↓ choose, Enter send, Esc cancel`}</Text>;
    case 'help': return <Text wrap="truncate" dimColor>any key closes the help</Text>;
    case 'normal':
      if (!message) return <Text wrap="truncate" dimColor>{HINT}</Text>;
      return <Text wrap="truncate" color={message.level === 'ok' ? 'green' : message.level === 'error' ? 'red' : undefined}>{message.text}</Text>;
  }
}

export function StatusLine({ fleet, width }: { fleet: FleetState; width: number }) {
  const c = fleet.conn;
  const stale = c.state === 'connected' || fleet.updatedAt === null ? '' : c.state === 'no-controller' ? `host states as of ${clock(c.since)}: ` : `stale since ${clock(c.since)}: `;
  const hosts = fleet.hosts.size;
  const right = `${hosts} host${hosts === 1 ? '' : 's'}${fleet.updatedAt ? ` · ${clock(fleet.updatedAt)}` : ''}`;
  const left = `${STATE_TEXT[c.state]}${stale}${c.detail}`;
  return (
    <Text wrap="truncate">
      <Text color={CONN_COLOR[c.state]}>{fit(left, Math.max(0, width - right.length - 1))}</Text>
      <Text dimColor>{' '}{right}</Text>
    </Text>
  );
}
