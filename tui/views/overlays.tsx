/** What covers the lists for a moment: the `?` help (rendered from the keymap) and the signal picker. */
import React from 'react';
import { Box, Text } from 'ink';
import { SIGNALS } from '../defaults.ts';
import { fit } from '../format.ts';
import { KEYMAP, LINE_KEYS } from '../ui/keymap.ts';

const SHORT: Record<string, string> = { Backspace: 'BS', 'Ctrl-C': '^C' };
const KEY_WIDTH = 11;

type HelpLine = { head: string } | { keys: string; help: string } | null;

const HELP_LINES: readonly HelpLine[] = [
  { head: 'Keys (actions apply to the selection)' },
  ...KEYMAP.map((b) => ({ keys: b.keys.map((k) => SHORT[k] ?? k).join(' '), help: b.help })),
  null,
  { head: 'Command line (:) and filter (/)' },
  ...LINE_KEYS,
];

function helpText(l: HelpLine, width: number): React.ReactNode {
  if (l === null) return ' ';
  if ('head' in l) return <Text bold>{fit(l.head, width)}</Text>;
  return <Text><Text color="cyan">{fit(l.keys, KEY_WIDTH)}</Text>{fit(` ${l.help}`, width - KEY_WIDTH)}</Text>;
}

/** Every key, in as many columns as the height needs. */
export function Help({ width, height }: { width: number; height: number }) {
  const rows = Math.max(1, height);
  const columns = Math.ceil(HELP_LINES.length / rows);
  const colWidth = Math.floor(width / columns);
  return (
    <Box flexDirection="row" height={height} width={width}>
      {Array.from({ length: columns }, (_, c) => (
        <Box key={c} flexDirection="column" width={colWidth}>
          {HELP_LINES.slice(c * rows, (c + 1) * rows).map((l, i) => <Text key={i} wrap="truncate">{helpText(l, colWidth - 1)}</Text>)}
        </Box>
      ))}
    </Box>
  );
}

export function SignalPicker({ cursor, label, height }: { cursor: number; label: string; height: number }) {
  const shown = Math.max(1, height - 1);
  const start = Math.max(0, Math.min(cursor - shown + 1, SIGNALS.length - shown));
  return (
    <Box flexDirection="column" height={height}>
      <Text bold wrap="truncate">{`Send which signal to ${label}?`}</Text>
      {SIGNALS.slice(start, start + shown).map((s, i) => (
        <Text key={s} inverse={start + i === cursor} wrap="truncate">{` SIG${s} `}</Text>
      ))}
    </Box>
  );
}
