/** The bash and zsh completion scripts (thin: they ask `ringctl __complete` for the candidates) and where --install writes them. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { homeDir, xdgDir } from './xdg.ts';

export const SHELLS = ['bash', 'zsh'] as const;
export type Shell = (typeof SHELLS)[number];

const BASH = `# bash completion for ringctl, from \`ringctl completion bash\`: source it, or install it with --install.
# The candidates come from \`ringctl __complete CWORD -- WORDS...\` (commands, options, values, live names).
_ringctl_complete() {
  COMPREPLY=()
  mapfile -t COMPREPLY < <("\${COMP_WORDS[0]}" __complete "$COMP_CWORD" -- "\${COMP_WORDS[@]}" 2>/dev/null)
  if [[ \${#COMPREPLY[@]} -eq 1 && \${COMPREPLY[0]} == */ ]]; then
    compopt -o nospace 2>/dev/null
  fi
  return 0
}
complete -F _ringctl_complete ringctl
`;

const ZSH = `#compdef ringctl
# zsh completion for ringctl, from \`ringctl completion zsh\`: source it after compinit, or install it with --install.
# The candidates come from \`ringctl __complete CWORD -- WORDS...\` (commands, options, values, live names).
_ringctl() {
  local -a candidates
  candidates=("\${(@f)$("\${words[1]}" __complete $((CURRENT - 1)) -- "\${words[@]}" 2>/dev/null)}")
  candidates=("\${(@)candidates:#}")
  (( \${#candidates} )) && compadd -- "\${candidates[@]}"
  return 0
}
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  _ringctl "$@"
else
  compdef _ringctl ringctl
fi
`;

export function script(shell: Shell): string {
  return shell === 'bash' ? BASH : ZSH;
}

/** Where --install puts the script for `shell`, and what the user still has to do, if anything. */
export function installTarget(shell: Shell, uid: number, env: NodeJS.ProcessEnv = process.env): { file: string; note: string } {
  if (shell === 'bash') {
    if (uid === 0) return { file: '/etc/bash_completion.d/ringctl', note: 'new bash sessions load it (with the bash-completion package)' };
    return {
      file: path.join(xdgDir('data', env), 'bash-completion', 'completions', 'ringctl'),
      note: 'bash-completion loads it on demand in new sessions; without bash-completion, add `source <that file>` to ~/.bashrc',
    };
  }
  if (uid === 0) {
    return { file: '/usr/local/share/zsh/site-functions/_ringctl', note: 'new zsh sessions load it at compinit (remove ~/.zcompdump if they do not)' };
  }
  return {
    file: path.join(homeDir(env), '.zfunc', '_ringctl'),
    note: 'add `fpath=(~/.zfunc $fpath)` to ~/.zshrc before `compinit`, then start a new zsh (remove ~/.zcompdump if it does not complete)',
  };
}

/** Writes the script where `shell` looks for it; returns the file and the note. */
export function install(shell: Shell, uid = process.getuid?.() ?? -1): { file: string; note: string } {
  const target = installTarget(shell, uid);
  mkdirSync(path.dirname(target.file), { recursive: true });
  writeFileSync(target.file, script(shell));
  return target;
}
