/** One option of a config table (key, parser, default, description, example) and the factory that builds them. */
import { Invalid, type ParseContext, type Parser } from './parsers.ts';

export interface OptionDef<C> {
  key: string;
  /** What a valid value looks like ("an integer ≥ 0", …). */
  type: string;
  /** Value used when the key is absent; undefined = the option stays unset. */
  default: unknown;
  /** The default as written in a config file ("30s", "SIGTERM", …), or a note for computed defaults. */
  defaultText: string;
  required: boolean;
  description: string;
  /** A realistic value as an operator writes it (raw TOML), for the docs. */
  example: unknown;
  /** The parsed value as the control protocol shows it. */
  wire(value: unknown): unknown;
  /** Parse `raw` (undefined when absent) into `out`; returns an Invalid for a rejected value. */
  apply(raw: unknown, ctx: ParseContext, out: Partial<C>): Invalid | undefined;
}

interface Extra<T> {
  required?: boolean;
  /** A default computed at load time (e.g. state_dir depends on the uid). */
  compute?: () => T;
  defaultText?: string;
  /** A more telling example than the parser's own (a raw TOML value). */
  example?: unknown;
}

/** Option factory for config type C (curried so K is inferred per call); other option tables (nats.ts) use it too. */
export function optionsOf<C>() {
  return <K extends keyof C & string>(key: K, parser: Parser<C[K]>, def: C[K] | undefined, description: string, extra: Extra<C[K]> = {}): OptionDef<C> => ({
    key,
    type: parser.type,
    default: def,
    defaultText: extra.defaultText ?? (def === undefined ? (extra.required ? 'required' : 'unset') : parser.format ? parser.format(def) : JSON.stringify(def)),
    required: extra.required ?? false,
    description,
    example: extra.example ?? parser.example,
    wire: (value) => (parser.wire && value !== undefined ? parser.wire(value as C[K]) : value),
    apply(raw, ctx, out) {
      if (raw === undefined) {
        const value = extra.compute ? extra.compute() : def;
        if (value !== undefined) out[key] = structuredClone(value);
        return undefined;
      }
      const value = parser.parse(raw, ctx);
      if (value instanceof Invalid) return value;
      out[key] = value;
      return undefined;
    },
  });
}
