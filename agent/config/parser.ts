/** The parser concept: a rejected value, where a value was defined, and how rejections are phrased. */

/** A rejected value; `message` is the text after "file: key: ". */
export class Invalid {
  constructor(readonly message: string) {}
}

export interface ParseContext {
  /** Folder of the file defining the value: relative paths are resolved against it. */
  dir: string;
}

export interface Parser<T> {
  /** What a valid value looks like, phrased to follow "expected ". */
  readonly type: string;
  /** A typical value as written in a config file (a raw TOML value), shown in the docs; options may give a better one. */
  readonly example: unknown;
  parse(value: unknown, ctx: ParseContext): T | Invalid;
  /** Human form of a parsed value (for docs), when it differs from JSON. */
  format?(value: T): string;
  /** The value as the control protocol shows it (Circus: durations in seconds), when it differs. */
  wire?(value: T): unknown;
}

/** A value as shown in messages: JSON-encoded, shortened when long. */
export function show(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  text ??= String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function expected(what: string, value: unknown): Invalid {
  return new Invalid(`expected ${what}, got ${show(value)}`);
}

export function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}
