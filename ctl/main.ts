/** `ringctl`: the operator CLI — every catalogue command for one agent or the fleet, plus keygen, discover and import-circus. */
import { CommanderError } from 'commander';
import { UsageError } from './args.ts';
import { EXIT } from './errors.ts';
import { fullProgram } from './cli.ts';
import { addTui } from '../tui/command.ts';

let code = EXIT.ok as number;
const program = fullProgram((c) => (code = c));
addTui(program, (c) => (code = c));

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    const done = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(err.code);
    code = done ? EXIT.ok : EXIT.usage;
  } else {
    process.stderr.write(`ringctl: ${(err as Error).message}\n`);
    code = err instanceof UsageError ? EXIT.usage : EXIT.error;
  }
}
process.exitCode = code;
