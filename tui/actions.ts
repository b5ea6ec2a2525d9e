/**
 * What the UI asks of ringctl: actions on the selection and command lines run exactly as ringctl
 * runs them (runCommand, the commander program built from the catalogue), completion from
 * ringctl's engine fed with the live names the UI already has, and the history `ringctl shell` keeps.
 */
import { CommanderError, type Command } from 'commander';
import { shellSplit } from '../agent/config/shlex.ts';
import type { AgentView, FleetSnapshot } from '../protocol/fleet/messages.ts';
import { candidates, type LiveKind } from '../ctl/completion/engine.ts';
import { namesOfSnapshot } from '../ctl/completion/live.ts';
import { fromLine } from '../ctl/completion/words.ts';
import { buildProgram, commandEntries } from '../ctl/program.ts';
import { runCommand, type GlobalFlags, type Result } from '../ctl/run.ts';
import { globalArgs, historyFile, loadHistory, saveHistory } from '../ctl/shell.ts';
import type { FleetState } from './data/model.ts';
import type { MessageLevel, PendingAction } from './ui/state.ts';
import { ACTIONS, actionProps, describeAction } from './ui/target.ts';

export interface Actions {
  /** Runs an action on the selection; resolves with the message to show. */
  run(p: PendingAction): Promise<{ level: MessageLevel; text: string }>;
  /** Runs a command line; resolves with what it printed. */
  line(text: string): Promise<{ level: MessageLevel; lines: string[] }>;
  /** Completion candidates for the last word of a command line. */
  complete(text: string): Promise<string[]>;
  history(): string[];
  saveHistory(lines: readonly string[]): void;
}

/** The flags of `ringctl tui`: the global ones, plus --host/--label (which hosts it shows). */
export type TuiFlags = GlobalFlags;

const levelOf = (r: Result): MessageLevel => (r.outcome === 'ok' ? 'ok' : 'error');

/** The fleet state as much of a snapshot as namesOfSnapshot reads (ids, labels, watcher names). */
function asSnapshot(f: FleetState): FleetSnapshot {
  const agents = [...f.hosts.values()].map((h) => ({ id: h.id, labels: h.labels, inventory: h.watchers ? { watchers: h.watchers } : null }));
  return { controller: '', ts: 0, agents: agents as unknown as AgentView[] };
}

/** Every command of `program` writes its help and errors through `out`. */
function capture(program: Command, out: (s: string) => void): void {
  const config = { writeOut: out, writeErr: out, outputError: out };
  program.configureOutput(config);
  for (const c of program.commands) c.configureOutput(config);
}

export function makeActions(flags: TuiFlags, fleet: () => FleetState, historyPath: string | null = historyFile()): Actions {
  /** Actions on chosen hosts replace the selectors the UI was started with. */
  const on = (hosts: readonly string[] | null): GlobalFlags => (hosts && fleet().mode === 'fleet' ? { ...flags, host: [...hosts], label: undefined, all: undefined } : flags);
  let completion: Command | null = null;

  return {
    async run(p) {
      const r = await runCommand(ACTIONS[p.action].command, actionProps(p), on(p.target.hosts));
      const detail = r.outcome === 'ok' ? 'done' : r.text.replace(/^ringctl: /, '').split('\n').join('; ');
      return { level: levelOf(r), text: `${describeAction(p)}: ${detail}` };
    },

    async line(text) {
      const printed: string[] = [];
      let result: Result | undefined;
      let words: string[];
      try {
        words = shellSplit(text);
      } catch (err) {
        return { level: 'error', lines: [(err as Error).message] };
      }
      const program = buildProgram(() => undefined, async (name, props, g, fleetOnly) => {
        if (name === 'listen') printed.push('listen: the events pane below shows the event stream');
        else result = await runCommand(name, props, g, { fleetOnly });
      });
      capture(program, (s) => printed.push(...s.replace(/\n$/, '').split('\n')));
      try {
        await program.parseAsync([...globalArgs(program, flags as unknown as Record<string, unknown>), ...words], { from: 'user' });
      } catch (err) {
        if (!(err instanceof CommanderError)) printed.push(`ringctl: ${(err as Error).message}`);
        const quiet = err instanceof CommanderError && ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(err.code);
        if (!quiet) return { level: 'error', lines: printed };
      }
      if (!result) return { level: 'info', lines: printed };
      return { level: levelOf(result), lines: [...printed, ...result.text.split('\n')] };
    },

    async complete(text) {
      const { words, cword } = fromLine(text);
      completion ??= buildProgram(() => undefined);
      const names = async (kind: LiveKind) => namesOfSnapshot(asSnapshot(fleet()))[kind];
      return candidates(words, cword, { program: completion, entries: commandEntries(), flags, names });
    },

    history: () => (historyPath ? loadHistory(historyPath) : []),
    saveHistory: (lines) => historyPath !== null && saveHistory(historyPath, [...lines]),
  };
}
