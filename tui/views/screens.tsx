/** The main area: the list of the current screen (hosts, watchers, processes, a host's sockets), the log pane, a command's output, or an overlay. */
import React from 'react';
import { Box, Text } from 'ink';
import type { FleetState } from '../data/model.ts';
import type { LogBuffer } from '../data/logbuffer.ts';
import { rowsOf, type Row } from '../ui/rows.ts';
import { top, type UiState } from '../ui/state.ts';
import {
  FLEET_WATCHER_COLUMNS, fleetWatcherCells, HOST_COLUMNS, hostCells, procCells, procColumns, SOCKET_COLUMNS, socketCells, WATCHER_COLUMNS, watcherCells,
} from './columns.ts';
import { LogPane, OutputPane } from './logs.tsx';
import { Help, SignalPicker } from './overlays.tsx';
import { Table, type Cell, type Column } from './table.tsx';

function cellsOf(r: Row, manyHosts: boolean, now: number): Cell[] {
  switch (r.kind) {
    case 'host': return hostCells(r);
    case 'fwatcher': return fleetWatcherCells(r);
    case 'watcher': return watcherCells(r);
    case 'proc': return procCells(r, manyHosts, now);
  }
}

interface AreaProps { fleet: FleetState; ui: UiState; log: LogBuffer | null; width: number; height: number }

function ListArea({ fleet, ui, width, height }: AreaProps) {
  const fr = top(ui);
  const s = fr.screen;
  const rows = rowsOf(fleet, fr);
  const manyHosts = s.kind === 'watcher' && s.host === null;
  const columns: Column[] = s.kind === 'fleet' ? (s.tab === 'hosts' ? HOST_COLUMNS : FLEET_WATCHER_COLUMNS) : s.kind === 'host' ? WATCHER_COLUMNS : procColumns(manyHosts);
  const now = Date.now();
  const cells = rows.map((r) => cellsOf(r, manyHosts, now));
  const selected = Math.min(fr.cursor, rows.length - 1);
  const empty = fleet.hosts.size === 0 ? 'no hosts yet' : fr.filter ? `nothing matches "${fr.filter}"` : 'nothing here';
  const sockets = s.kind === 'host' ? fleet.hosts.get(s.host)?.sockets ?? [] : [];
  if (sockets.length === 0) return <Table columns={columns} rows={cells} selected={selected} height={height} width={width} empty={empty} />;
  const socketHeight = Math.min(sockets.length + 1, Math.max(2, Math.floor(height / 3)));
  return (
    <Box flexDirection="column" height={height}>
      <Table columns={columns} rows={cells} selected={selected} height={height - socketHeight - 1} width={width} empty={empty} />
      <Text dimColor wrap="truncate">{'─'.repeat(width)}</Text>
      <Table columns={SOCKET_COLUMNS} rows={sockets.map(socketCells)} selected={null} height={socketHeight} width={width} />
    </Box>
  );
}

export function MainArea(props: AreaProps) {
  const { ui, fleet, log, width, height } = props;
  const fr = top(ui);
  const s = fr.screen;
  if (ui.mode.kind === 'help') return <Help width={width} height={height} />;
  if (ui.mode.kind === 'signal') {
    const t = ui.mode.target;
    return <SignalPicker cursor={ui.mode.cursor} label={`${t.pid !== null ? `pid ${t.pid} of ` : ''}${t.label}`} height={height} />;
  }
  switch (s.kind) {
    case 'fleet': case 'host': case 'watcher': return <ListArea {...props} />;
    case 'logs': return log ? <LogPane buffer={log} frame={fr} height={height} multiHost={s.host === null} /> : <Text dimColor>opening…</Text>;
    case 'output': return <OutputPane lines={s.lines} offset={fr.offset} height={height} level={s.level} />;
  }
}
