/**
 * A table that fits its width: columns are kept by priority (the least important go first on a
 * narrow screen), columns that may grow share what is left, and the rows scroll to keep the
 * selected one visible. Each row is one line of text with coloured cells.
 */
import React from 'react';
import { Box, Text } from 'ink';
import { fit } from '../format.ts';

export interface Column {
  title: string;
  width: number;
  /** Share of the spare width this column takes (0: fixed). */
  grow?: number;
  align?: 'left' | 'right';
  /** 0 = always shown; higher numbers are dropped first when the screen is narrow. */
  priority: number;
}

export interface Cell {
  text: string;
  color?: string;
  dim?: boolean;
  /** Too long: keep the end (sparklines: the newest values). */
  tail?: boolean;
}

const GAP = 1;

/** The columns that fit in `width`, with their final widths. */
export function layout(columns: readonly Column[], width: number): { index: number; width: number }[] {
  const order = columns.map((c, i) => ({ c, i })).sort((a, b) => a.c.priority - b.c.priority || a.i - b.i);
  const kept: number[] = [];
  let used = 0;
  for (const { c, i } of order) {
    const need = c.width + (kept.length ? GAP : 0);
    if (used + need > width && c.priority > 0) continue;
    kept.push(i);
    used += need;
  }
  kept.sort((a, b) => a - b);
  const spare = Math.max(0, width - used);
  const shares = kept.reduce((n, i) => n + (columns[i].grow ?? 0), 0);
  let given = 0;
  return kept.map((i, k) => {
    const grow = columns[i].grow ?? 0;
    const last = kept.slice(k + 1).every((j) => !(columns[j].grow ?? 0));
    const extra = shares === 0 ? 0 : last && grow ? spare - given : Math.floor((spare * grow) / shares);
    given += extra;
    return { index: i, width: columns[i].width + extra };
  });
}

export function Table(props: { columns: readonly Column[]; rows: readonly (readonly Cell[])[]; selected: number | null; height: number; width: number; empty?: string }) {
  const { columns, rows, selected, height, width } = props;
  const cols = layout(columns, width);
  const body = Math.max(0, height - 1);
  const at = selected === null ? 0 : Math.max(0, Math.min(selected, rows.length - 1));
  const start = rows.length <= body ? 0 : Math.min(Math.max(0, at - body + 1), rows.length - body);
  /** One line: runs of plain cells as one string, a nested Text only where a colour starts (fewer nodes to lay out). */
  const line = (cells: readonly Cell[], key: number, isSelected: boolean) => {
    const parts: { text: string; color?: string; dim?: boolean }[] = [];
    cols.forEach((c, k) => {
      const cell = cells[c.index] ?? { text: '' };
      const text = fit(cell.tail ? cell.text.slice(-c.width) : cell.text, c.width, columns[c.index].align) + (k < cols.length - 1 ? ' '.repeat(GAP) : '');
      const style = isSelected ? {} : { color: cell.color, dim: cell.dim };
      const last = parts[parts.length - 1];
      if (last && last.color === style.color && last.dim === style.dim) last.text += text;
      else parts.push({ text, ...style });
    });
    return (
      <Text key={key} inverse={isSelected} wrap="truncate">
        {parts.map((p, k) => (p.color || p.dim ? <Text key={k} color={p.color} dimColor={p.dim}>{p.text}</Text> : p.text))}
      </Text>
    );
  };
  return (
    <Box flexDirection="column" height={height} width={width}>
      <Text bold wrap="truncate">{cols.map((c, k) => fit(columns[c.index].title, c.width, columns[c.index].align) + (k < cols.length - 1 ? ' ' : '')).join('')}</Text>
      {rows.length === 0 && <Text dimColor wrap="truncate">{props.empty ?? 'nothing to show'}</Text>}
      {rows.slice(start, start + body).map((r, k) => line(r, start + k, selected !== null && start + k === at))}
    </Box>
  );
}
