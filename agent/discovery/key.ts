/** Reads the fleet key that signs discovery datagrams. */
import { readFileSync, statSync } from 'node:fs';
import { MIN_FLEET_KEY_BYTES } from '../defaults.ts';

export interface FleetKey {
  key: Buffer;
  /** Set when the file is readable by group or others. */
  warning?: string;
}

/** The key is the file's bytes with surrounding whitespace removed; throws a plain-English error. */
export function loadFleetKey(file: string): FleetKey {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new Error(`[discovery] key_file ${file}: ${why}`);
  }
  const key = Buffer.from(raw.toString('latin1').trim(), 'latin1');
  if (key.length < MIN_FLEET_KEY_BYTES) {
    throw new Error(`[discovery] key_file ${file}: the key is ${key.length} bytes, at least ${MIN_FLEET_KEY_BYTES} are needed (make one: head -c 32 /dev/urandom | base64 > ${file})`);
  }
  const mode = statSync(file).mode & 0o777;
  const warning = mode & 0o077 ? `[discovery] key_file ${file} is readable by others (mode ${mode.toString(8)}); chmod 600 it` : undefined;
  return { key, warning };
}
