/**
 * The application: lays the screen out (title, main area, events pane, message line, status line)
 * to the terminal's size, feeds every key of each input chunk to the key handler in turn, carries
 * out the effects, and follows a watcher's output while a log pane is open.
 */
import React, { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { Box, Text, useApp, useInput, useStdout } from 'ink';
import type { Actions } from '../actions.ts';
import { LogBuffer } from '../data/logbuffer.ts';
import type { EventEntry, FleetState } from '../data/model.ts';
import type { Source } from '../data/source.ts';
import { EVENTS_PANE_ROWS, MIN_COLUMNS, MIN_ROWS } from '../defaults.ts';
import { completed, onKey, type Effect } from '../ui/handle.ts';
import { splitKeys } from '../ui/keys.ts';
import { hostsWith } from '../ui/rows.ts';
import { frame, initialUi, top, type Screen, type UiState } from '../ui/state.ts';
import { EventsPane, MessageLine, StatusLine, TitleLine } from './panes.tsx';
import { MainArea } from './screens.tsx';

export interface AppProps {
  store: { getState(): FleetState; subscribe(listener: () => void): () => void };
  source: Pick<Source, 'follow'>;
  actions: Actions;
  /** Fixed size (tests); otherwise the terminal's, following resizes. */
  size?: { columns: number; rows: number };
}

/**
 * The size to draw: the terminal's but its last line, which holds the cursor. (A frame as tall as
 * the terminal makes Ink clear the whole screen at every frame instead of rewriting what changed.)
 */
function useSize(fixed: AppProps['size']): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => fixed ?? { columns: stdout.columns || MIN_COLUMNS, rows: (stdout.rows || MIN_ROWS) - 1 };
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (fixed) return;
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => void stdout.off('resize', onResize);
  }, [stdout, fixed]);
  return size;
}

/** The events that concern the current screen: its host, its watcher, or all of them. */
function eventsFor(s: Screen, events: readonly EventEntry[]): { title: string; events: readonly EventEntry[] } {
  const host = s.kind === 'host' || s.kind === 'watcher' || s.kind === 'logs' ? s.host : null;
  const watcher = s.kind === 'watcher' || s.kind === 'logs' ? s.watcher : null;
  if (host === null && watcher === null) return { title: 'Events', events };
  const title = `Events of ${[watcher, host].filter(Boolean).join(' on ')}`;
  return { title, events: events.filter((e) => (host === null || e.host === host) && (watcher === null || e.watcher === watcher || e.watcher === null)) };
}

export function App({ store, source, actions, size }: AppProps) {
  const fleet = useSyncExternalStore(store.subscribe, store.getState);
  const { exit } = useApp();
  const { columns, rows } = useSize(size);
  const [ui, setUi] = useState<UiState>(() => initialUi(actions.history()));
  const [log, setLog] = useState<LogBuffer | null>(null);
  const live = useRef({ ui, fleet, log });
  live.current.fleet = fleet;

  const eventRows = ui.mode.kind === 'help' ? 0 : EVENTS_PANE_ROWS.find((e) => rows >= e.minRows)!.rows;
  const mainRows = Math.max(1, rows - 3 - eventRows);

  const apply = useCallback((next: UiState) => {
    live.current.ui = next;
    setUi(next);
  }, []);
  const later = useCallback((change: (ui: UiState) => UiState) => apply(change(live.current.ui)), [apply]);

  const run = useCallback((e: Effect) => {
    const failed = (err: Error) => later((u) => ({ ...u, message: { level: 'error', text: err.message } }));
    switch (e.kind) {
      case 'quit': return exit();
      case 'run': return void actions.run(e.pending).then((message) => later((u) => ({ ...u, message })), failed);
      case 'complete': return void actions.complete(e.line).then((c) => later((u) => completed(u, e.line, c)), () => undefined);
      case 'line':
        actions.saveHistory(live.current.ui.history);
        return void actions.line(e.line).then((r) => later((u) => ({
          ...u, stack: [...u.stack, frame({ kind: 'output', title: `:${e.line}`, lines: r.lines, level: r.level })], message: { level: r.level, text: 'Esc goes back' },
        })), failed);
    }
  }, [actions, exit, later]);

  useInput((input, key) => {
    let next = live.current.ui;
    const effects: Effect[] = [];
    for (const k of splitKeys(input, key)) {
      const step = onKey(next, k, { fleet: live.current.fleet, page: Math.max(1, mainRows - 1), logSeq: live.current.log?.seq ?? 0 });
      next = step.ui;
      effects.push(...step.effects);
      if (step.effects.some((x) => x.kind === 'quit')) break;
    }
    apply(next);
    for (const e of effects) run(e);
  });

  const s = top(ui).screen;
  const followKey = s.kind === 'logs' ? JSON.stringify([s.host, s.watcher, ui.stack.length]) : null;
  useEffect(() => {
    if (s.kind !== 'logs') return;
    const buffer = new LogBuffer();
    const stop = source.follow(s.watcher, s.host ? [s.host] : hostsWith(live.current.fleet, s.watcher), buffer);
    live.current.log = buffer;
    setLog(buffer);
    return () => {
      stop();
      buffer.close();
      live.current.log = null;
      setLog(null);
    };
  }, [followKey, source]);

  const ev = eventsFor(s, fleet.events);
  if (columns < MIN_COLUMNS || rows < MIN_ROWS - 1) {
    return <Text wrap="wrap">{`ringctl tui needs a terminal of at least ${MIN_COLUMNS}×${MIN_ROWS}: make this one larger (or press q to quit).`}</Text>;
  }
  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <TitleLine ui={ui} width={columns} />
      <MainArea fleet={fleet} ui={ui} log={log} width={columns} height={mainRows} />
      {eventRows > 0 && <EventsPane events={ev.events} title={ev.title} height={eventRows} width={columns} />}
      <MessageLine mode={ui.mode} message={ui.message} />
      <StatusLine fleet={fleet} width={columns} />
    </Box>
  );
}
