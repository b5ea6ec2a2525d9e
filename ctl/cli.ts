/**
 * The whole ringctl command line: the catalogue's commands (program.ts), then keygen, discover,
 * import-circus, completion, wait, logs and check. The CLI, the interactive shell and the
 * completion spec are all made from it, so each knows every command.
 */
import type { Command } from 'commander';
import { addCompletion } from './completion/command.ts';
import { addDiscover } from './discover.ts';
import { addImportCircus } from './import-circus/command.ts';
import { addKeygen } from './keygen.ts';
import { addOperatorCommands } from './operator.ts';
import { buildProgram } from './program.ts';

/** Every command; `onExit` receives exit codes (the CLI exits with them, the shell keeps going). */
export function fullProgram(onExit: (code: number) => void): Command {
  const program = buildProgram(onExit);
  addKeygen(program);
  addDiscover(program);
  addImportCircus(program);
  addCompletion(program);
  addOperatorCommands(program, onExit);
  return program;
}
