/** Watcher-name matching for start/stop/restart: glob (Circus's default), simple (exact) or regex. */
import type { MatchMethod } from '../../protocol/agent-api.ts';
import { CommandError } from '../../protocol/errors.ts';

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const c of glob) {
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'i');
}

/** A case-insensitive predicate over watcher names (names are case-insensitive, as in Circus). */
export function matcher(pattern: string, method: MatchMethod): (name: string) => boolean {
  switch (method) {
    case 'simple': return (name) => name.toLowerCase() === pattern.toLowerCase();
    case 'glob': {
      const re = globToRegExp(pattern);
      return (name) => re.test(name);
    }
    case 'regex': {
      let re: RegExp;
      try {
        re = new RegExp(pattern, 'i');
      } catch (err) {
        throw new CommandError(`invalid regex ${JSON.stringify(pattern)}: ${(err as Error).message}`);
      }
      return (name) => re.test(name);
    }
  }
}
