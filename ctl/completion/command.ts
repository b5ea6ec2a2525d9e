/** Registers `ringctl completion bash|zsh [--install]`, the hidden `__complete` the scripts call back, and `shell` (what a bare `ringctl` runs on a terminal). */
import { Argument, type Command } from 'commander';
import { commandEntries } from '../program.ts';
import { readCacheEntry, writeCache } from './cache.ts';
import type { CompletionContext } from './engine.ts';
import { completeWords, specKey } from './fast.ts';
import { liveNames } from './live.ts';
import { install, script, SHELLS, type Shell } from './scripts.ts';
import { specOf } from './spec.ts';

/**
 * The full path of `__complete` (fast.ts declined): the candidates, and the spec saved for the
 * fast path under the stamp bin/ringctl.js gives (RINGCTL_SPEC_STAMP) when it is not saved yet.
 */
async function complete(program: Command, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  try {
    const ctx: CompletionContext = { program, entries: commandEntries(), names: liveNames };
    const stamp = env.RINGCTL_SPEC_STAMP;
    if (stamp && !readCacheEntry(specKey(stamp), env)) writeCache(specKey(stamp), specOf(program, ctx.entries!), env);
    return await completeWords(args, ctx);
  } catch {
    return '';
  }
}

/** Commander's own "unknown command" error (with its did-you-mean), which a default command otherwise replaces. */
function unknownCommand(program: Command): never {
  return (program as unknown as { unknownCommand(): never }).unknownCommand();
}

export function addCompletion(program: Command): void {
  program
    .command('completion')
    .description('print the bash or zsh completion script (to source), or --install it where the shell looks for it')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(SHELLS))
    .option('--install', 'write it to the usual place instead (bash: /etc/bash_completion.d as root, else ~/.local/share/bash-completion/completions; zsh: site-functions or ~/.zfunc)')
    .action((shell: Shell, o: { install?: boolean }) => {
      if (!o.install) return void process.stdout.write(script(shell));
      const { file, note } = install(shell);
      process.stdout.write(`wrote ${file}\n${note}\n`);
    });
  program
    .command('__complete', { hidden: true })
    .argument('<cword>', 'index of the word under the cursor')
    .argument('[words...]', 'the words of the line, the program first')
    .action(async (cword: string, words: string[]) => {
      process.stdout.write(await complete(program, [cword, ...words]));
    });
  program
    .command('shell', { isDefault: true })
    .description('interactive prompt: the catalogue\'s commands, TAB completion, history (what `ringctl` alone runs on a terminal)')
    .allowExcessArguments(true)
    .action(async (_o: unknown, self: Command) => {
      const explicit = program.args[0] === 'shell';
      if (self.args.length) return explicit ? self.error(`error: shell takes no arguments (got '${self.args[0]}')`) : unknownCommand(program);
      if (!explicit && !(process.stdin.isTTY && process.stdout.isTTY)) return program.help({ error: true });
      const { runShell } = await import('../shell.ts');
      await runShell(self.optsWithGlobals());
    });
}
