/** `ringctl`: the operator CLI — every catalogue command for one agent or the fleet, plus keygen, discover and import-circus. */
import { CommanderError } from 'commander';
import { UsageError } from './args.ts';
import { addDiscover } from './discover.ts';
import { EXIT } from './errors.ts';
import { addImportCircus } from './import-circus/command.ts';
import { addCompletion } from './completion/command.ts';
import { addKeygen } from './keygen.ts';
import { addOperatorCommands } from './operator.ts';
import { buildProgram } from './program.ts';

let code = EXIT.ok as number;
const program = buildProgram((c) => (code = c));
addKeygen(program);
addDiscover(program);
addImportCircus(program);
addCompletion(program);
addOperatorCommands(program, (c) => (code = c));

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
