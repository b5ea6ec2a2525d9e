/** `npm run docs`: regenerates the generated parts of docs/ from the code that defines them. */
import { readFileSync, writeFileSync } from 'node:fs';
import { updateOptionTables } from '../agent/config/docs.ts';
import { updateCommands } from '../protocol/commands/docs.ts';
import { exampleAuthorization } from '../controller/permissions.ts';
import { updateCtlCommands } from '../ctl/docs.ts';

const targets: [string, (doc: string) => string][] = [
  ['../docs/configuration.md', updateOptionTables],
  ['../docs/protocol.md', updateCommands],
  ['../docs/ctl.md', updateCtlCommands],
];
for (const [path, update] of targets) {
  const file = new URL(path, import.meta.url);
  writeFileSync(file, update(readFileSync(file, 'utf8')));
  process.stdout.write(`${path.slice(3)} updated\n`);
}
writeFileSync(new URL('../deploy/nats/auth.conf', import.meta.url), exampleAuthorization());
process.stdout.write('deploy/nats/auth.conf updated\n');
