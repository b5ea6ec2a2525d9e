/** `ringctl`: the operator CLI. For now `keygen`, `discover` and `import-circus`; the commands of the catalogue arrive with issue 7. */
import { Command, CommanderError } from 'commander';
import { addDiscover } from './discover.ts';
import { addImportCircus } from './import-circus/command.ts';
import { addKeygen } from './keygen.ts';

const program = new Command('ringctl')
  .description('Operate Ringmaster agents. Today: key generation, discovery and Circus config import; the control commands arrive with issue 7.')
  .exitOverride();
addKeygen(program);
addDiscover(program);
addImportCircus(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  process.stderr.write(`ringctl: ${(err as Error).message}\n`);
  process.exit(1);
}
