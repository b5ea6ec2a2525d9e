/**
 * The fast path of `ringctl __complete` (what every TAB runs): answers from the command-line spec
 * and the live names cached on disk, loading neither commander, the catalogue, zeromq nor NATS.
 * Names older than the TTL still answer (stale-while-revalidate) while a detached ringctl fetches
 * fresh ones, so a far or dead fleet never makes a TAB wait. Without a cached spec (first TAB
 * after an upgrade) or cached names, it declines and ringctl takes the full path, which fills both.
 */
import { readCacheEntry, writeCache } from './cache.ts';
import { candidates, type CompletionContext, type LiveKind, type TargetFlags } from './engine.ts';
import { cachedNames, DEFAULT_STALE_S, DEFAULT_TIMEOUT_S, liveKey, seconds, ttlMs } from './names-cache.ts';
import type { CliSpec } from './spec.ts';
import { fromCompWords } from './words.ts';

/** The cache key of the spec made by the code stamped `stamp` (its modification time). */
export const specKey = (stamp: string): string => `spec ${stamp}`;

/** What the full path must supply: the spec or the names are not cached (or too old). */
class Declined extends Error {}

/** The `__complete` arguments (CWORD [--] WORDS...) as COMP_WORDS and the index of the cursor's word. */
function parseArgs(args: string[]): { cword: number; raw: string[] } {
  const rest = args[1] === '--' ? args.slice(2) : args.slice(1);
  return { cword: Number(args[0]), raw: rest };
}

/**
 * The candidates for COMP_WORDS, one a line, trimmed of what the shell will not replace; nothing
 * at all on any failure (a TAB never prints an error). Shared by the fast and the full path.
 */
export async function completeWords(args: string[], ctx: CompletionContext): Promise<string> {
  const { cword, raw } = parseArgs(args);
  const line = fromCompWords(raw, cword);
  const found = await candidates(line.words, line.cword, ctx);
  return found.map((c) => `${c.slice(line.strip)}\n`).join('');
}

/** Starts a detached full-path ringctl that fetches the names again (at most one per timeout). */
async function refresh(args: string[], key: string, env: NodeJS.ProcessEnv): Promise<void> {
  const marker = `refresh ${key}`;
  const timeoutMs = seconds(env.RINGCTL_COMPLETION_TIMEOUT, DEFAULT_TIMEOUT_S) * 1000;
  const last = readCacheEntry<number>(marker, env);
  if (last && last.ageMs < timeoutMs + 1000) return;
  writeCache(marker, Date.now(), env);
  const { spawn } = await import('node:child_process'); // only when refreshing: a TAB loads as little as it can
  const child = spawn(process.execPath, [process.argv[1], '__complete', ...args], {
    detached: true, stdio: 'ignore', env: { ...env, RINGCTL_COMPLETION_FAST: '0', RINGCTL_COMPLETION_TTL: '0' },
  });
  child.on('error', () => undefined);
  child.unref();
}

/** The answer to `__complete ARGS`, or undefined when the full path must answer. */
export async function fastComplete(args: string[], stamp: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const spec = readCacheEntry<CliSpec>(specKey(stamp), env)?.value;
  if (!spec) return undefined;
  const names = async (kind: LiveKind, flags: TargetFlags): Promise<string[]> => {
    const cached = cachedNames(flags, env);
    if (!cached || cached.ageMs >= seconds(env.RINGCTL_COMPLETION_STALE, DEFAULT_STALE_S) * 1000) throw new Declined();
    if (cached.ageMs >= ttlMs(env)) await refresh(args, liveKey(flags, env), env);
    return cached.value[kind] ?? [];
  };
  try {
    return await completeWords(args, { spec, names });
  } catch (err) {
    return err instanceof Declined ? undefined : '';
  }
}
