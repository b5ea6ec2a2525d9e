// CURVE key pairs for the ZeroMQ transports: generation and zcert-like key files (<base>.key secret, <base>.pub public).
import { chmodSync, existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { curveKeyPair } from 'zeromq';

export interface CurveKeyPair {
  publicKey: string;
  secretKey: string;
}

const Z85_CHARS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
const Z85_KEY = new RegExp(`^[${Z85_CHARS.replace(/[\]\\^-]/g, '\\$&')}]{40}$`);

/** True for a 40-character Z85 string, the text form of a 32-byte CURVE key. */
export function isZ85Key(value: unknown): value is string {
  return typeof value === 'string' && Z85_KEY.test(value);
}

/** A fresh CURVE key pair (Z85 text, 40 characters each). */
export function generateKeyPair(): CurveKeyPair {
  const { publicKey, secretKey } = curveKeyPair();
  return { publicKey, secretKey };
}

function header(kind: 'Secret' | 'Public'): string {
  const lines = [
    `#   ****  Generated on ${new Date().toISOString()} by Ringmaster  ****`,
    `#   ZeroMQ CURVE **${kind}** Certificate`,
    kind === 'Secret'
      ? '#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.'
      : '#   Exchange securely, or use a secure mechanism to verify the contents',
  ];
  return `${lines.join('\n')}\n\n`;
}

/** Writes text to a fresh file with exactly `mode` (an existing file is replaced, never reused with its old mode). */
function writeFresh(file: string, text: string, mode: number): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  writeFileSync(file, text, { mode, flag: 'wx' });
  chmodSync(file, mode); // the umask may have removed bits from `mode`
}

/**
 * Generates a key pair and writes `<base>.key` (mode 0600: public and secret key) and `<base>.pub`
 * (mode 0644: public key only), in the zcert text format. Existing files are replaced only with
 * `overwrite: true`; otherwise an existing file is an error (never clobber a deployed secret by accident).
 */
export function writeKeyFiles(
  basePath: string,
  opts: { overwrite?: boolean } = {},
): { secretFile: string; publicFile: string; publicKey: string } {
  const secretFile = `${basePath}.key`;
  const publicFile = `${basePath}.pub`;
  if (!opts.overwrite) {
    for (const f of [secretFile, publicFile]) {
      if (existsSync(f)) throw new Error(`${f}: already exists (refusing to overwrite a key file)`);
    }
  }
  const { publicKey, secretKey } = generateKeyPair();
  writeFresh(secretFile, `${header('Secret')}curve\n    public-key = "${publicKey}"\n    secret-key = "${secretKey}"\n`, 0o600);
  writeFresh(publicFile, `${header('Public')}curve\n    public-key = "${publicKey}"\n`, 0o644);
  return { secretFile, publicFile, publicKey };
}

/**
 * Reads a `.key` or `.pub` file (zcert format: `key = "value"` lines, `#` comments, other sections
 * ignored). Errors name the file: unreadable, missing public-key, a key that is not 40-char Z85.
 */
export function readKeyFile(path: string): { publicKey: string; secretKey?: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`${path}: cannot read CURVE key file: ${(err as Error).message}`);
  }
  const found: Record<string, string> = {};
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    const m = /^(public-key|secret-key)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    const value = m[2].replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');
    const length = value.length;
    if (!isZ85Key(value)) {
      throw new Error(`${path}:${index + 1}: ${m[1]} is not a 40-character Z85 key (got ${length} characters)`);
    }
    if (m[1] in found) throw new Error(`${path}:${index + 1}: duplicate ${m[1]}`);
    found[m[1]] = value;
  }
  const publicKey = found['public-key'];
  if (publicKey === undefined) throw new Error(`${path}: not a CURVE key file: no public-key line`);
  const secretKey = found['secret-key'];
  return secretKey === undefined ? { publicKey } : { publicKey, secretKey };
}
