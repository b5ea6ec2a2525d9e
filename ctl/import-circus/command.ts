/** `ringctl import-circus FILE.ini`: the converted TOML on stdout (or -o FILE), what could not be converted on stderr. */
import { existsSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { importCircus } from './convert.ts';
import { renderNotes } from './notes.ts';

export function addImportCircus(program: Command): void {
  program
    .command('import-circus')
    .description('convert a Circus ini file (with its includes) to a Ringmaster TOML config; lists what could not be converted')
    .argument('<file>', 'the circus.ini to convert')
    .option('-o, --output <file>', 'write the TOML here instead of stdout')
    .option('--force', 'overwrite the output file')
    .action(async (file: string, o: { output?: string; force?: boolean }) => {
      const { toml, notes } = await importCircus(file);
      if (o.output) {
        if (existsSync(o.output) && !o.force) throw new Error(`${o.output} exists; use --force to overwrite it`);
        writeFileSync(o.output, toml);
      } else {
        process.stdout.write(toml);
      }
      const lines = renderNotes(notes);
      if (lines.length) process.stderr.write(`${lines.length} thing(s) not converted as is:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
      if (o.output) process.stderr.write(`wrote ${o.output}; check it with: ringd --check-config ${o.output}\n`);
    });
}
