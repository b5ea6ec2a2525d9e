/** `npm run docs`: regenerates the generated parts of docs/ from the code that defines them. */
import { readFileSync, writeFileSync } from 'node:fs';
import { updateOptionTables, OPTIONS_BEGIN, OPTIONS_END } from '../agent/config/docs.ts';

const file = new URL('../docs/configuration.md', import.meta.url);
let doc = readFileSync(file, 'utf8');
if (!doc.includes(OPTIONS_BEGIN)) doc = `${doc.trimEnd()}\n\n${OPTIONS_BEGIN}\n${OPTIONS_END}\n`;
writeFileSync(file, updateOptionTables(doc));
process.stdout.write('docs/configuration.md updated\n');
