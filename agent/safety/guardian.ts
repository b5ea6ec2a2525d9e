/**
 * The guardian: a tiny `sh` that waits on a pipe from ringd. If ringd dies without saying
 * goodbye (SIGKILL, crash), the pipe closes and the guardian runs the leftover clean-up, so no
 * grandchild or setsid escapee outlives ringd. Its direct children die by pdeathsig already.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const GOODBYE = 'done';
/** ".ts" when ringd runs from the sources (through tsx), ".js" when it runs compiled (dist/). */
const OWN_EXTENSION = path.extname(fileURLToPath(import.meta.url));
const CLEANUP = fileURLToPath(new URL(`./cleanup-main${OWN_EXTENSION}`, import.meta.url));
const LOADER = OWN_EXTENSION === '.ts' ? ['--import', import.meta.resolve('tsx')] : [];
const SCRIPT = `read line; [ "$line" = "${GOODBYE}" ] && exit 0; exec "$@"`;

export class Guardian {
  private readonly child: ChildProcess;

  constructor(stateFile: string) {
    this.child = spawn('/bin/sh', ['-c', SCRIPT, 'ringd-guardian', process.execPath, ...LOADER, CLEANUP, stateFile], {
      detached: true, stdio: ['pipe', 'ignore', 'inherit'],
    });
    this.child.on('error', () => { /* no guardian: the next start cleans up instead */ });
    this.child.stdin?.on('error', () => { /* guardian gone */ });
    this.child.unref();
    (this.child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Clean shutdown: the guardian exits without touching anything. */
  release(): void {
    this.child.stdin?.end(`${GOODBYE}\n`);
  }
}
