/** Collects every problem found while loading, so one ConfigError can list them all. */
import type { ConfigIssue } from '../../protocol/errors.ts';
import { unknownMessage } from './suggest.ts';

export class Issues {
  readonly list: ConfigIssue[] = [];

  add(file: string, key: string, message: string): void {
    this.list.push({ file, key, message });
  }

  get count(): number {
    return this.list.length;
  }

  /**
   * Report every key of `table` not in `known` as `<prefix>.<key>: unknown <what>`, with a
   * did-you-mean hint. Returns true when all keys are known.
   */
  checkKeys(file: string, prefix: string, table: Record<string, unknown>, known: readonly string[], what = 'option'): boolean {
    let ok = true;
    for (const key of Object.keys(table)) {
      if (!known.includes(key)) {
        this.add(file, joinKey(prefix, key), unknownMessage(what, key, known));
        ok = false;
      }
    }
    return ok;
  }
}

/** `prefix.key`, quoting keys that are not bare TOML keys (`watchers."a b"`). */
export function joinKey(prefix: string, key: string): string {
  const part = /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
  return prefix === '' ? part : `${prefix}.${part}`;
}
