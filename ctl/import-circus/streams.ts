/** Converts a watcher's `stdout_stream.*` / `stderr_stream.*` options into a Ringmaster stream table. */
import { ROTATE_WHEN } from '../../agent/config/types.ts';
import type { Context, Option, TomlTable } from './context.ts';
import type { IniSection } from './ini.ts';
import { Rejected, toBool, toInt } from './values.ts';

/** Circus stream classes (short names, matched ignoring case) → Ringmaster's. */
const CLASSES: Record<string, string> = {
  filestream: 'FileStream',
  watchedfilestream: 'WatchedFileStream',
  timedrotatingfilestream: 'TimedRotatingFileStream',
  stdoutstream: 'StdoutStream',
  fancystdoutstream: 'FancyStdoutStream',
};
const FILE_CLASSES = ['FileStream', 'WatchedFileStream', 'TimedRotatingFileStream'];

/** Ringmaster's class for a Circus `class` value ("FileStream", "circus.stream.FileStream", …), or a reason it has none. */
function streamClass(value: string): string | Rejected {
  const v = value.trim();
  const dotted = v.split('.');
  const short = dotted[dotted.length - 1];
  const isCircus = dotted.length === 1 || dotted[0] === 'circus';
  const mapped = isCircus ? CLASSES[short.toLowerCase()] : undefined;
  if (mapped !== undefined) return mapped;
  if (isCircus && short.toLowerCase() === 'queuestream') return new Rejected('QueueStream only works when Circus is embedded in a Python program; the stream is dropped');
  return new Rejected(`${JSON.stringify(v)} is a custom Python stream class, which Ringmaster cannot load; the stream is dropped (output goes to ringd's stdout)`);
}

/**
 * Build the stream table of `which` ("stdout_stream" or "stderr_stream") from the options
 * `which.KEY` of a watcher; undefined when the stream cannot be converted (noted).
 */
export function convertStream(which: string, options: readonly Option[], section: IniSection, ctx: Context): TomlTable | undefined {
  const table: TomlTable = {};
  let classEntry: Option | undefined;
  for (const option of options) {
    const { entry } = option;
    const key = option.key.slice(which.length + 1);
    const text = ctx.text(section, entry).trim();
    switch (key) {
      case 'class': {
        const cls = streamClass(text);
        if (cls instanceof Rejected) {
          ctx.note(section, entry, cls.reason);
          return undefined;
        }
        table.class = cls;
        classEntry = option;
        break;
      }
      case 'filename':
        table.filename = ctx.path(section, entry);
        break;
      case 'max_bytes':
      case 'backup_count':
        ctx.set(table, key, toInt(text, 0), section, entry);
        break;
      case 'rotate_interval':
        ctx.set(table, key, toInt(text, 1), section, entry);
        break;
      case 'time_format':
        if (text !== '') table.time_format = text;
        break;
      case 'rotate_when': {
        const when = ROTATE_WHEN.find((w) => w === text.toUpperCase());
        ctx.set(table, key, when ?? new Rejected(`one of ${ROTATE_WHEN.join(', ')}, got ${JSON.stringify(text)}`), section, entry);
        break;
      }
      case 'utc':
        ctx.set(table, key, toBool(text), section, entry);
        break;
      case 'color':
        ctx.note(section, entry, 'not supported: FancyStdoutStream colours are chosen by ringd');
        break;
      case 'refresh_time':
        ctx.note(section, entry, 'not needed: Ringmaster writes every line as it arrives');
        break;
      default:
        ctx.note(section, entry, 'unknown stream option; not converted');
    }
  }
  const cls = typeof table.class === 'string' ? table.class : undefined;
  if (cls === undefined && table.filename === undefined) {
    ctx.note(section, options[0]?.entry, `${which} has neither class nor filename; dropped (Circus refused it too)`, which);
    return undefined;
  }
  if (cls !== undefined && FILE_CLASSES.includes(cls) && table.filename === undefined) {
    ctx.note(section, classEntry?.entry, `${cls} without a filename: Circus wrote to a temporary file, Ringmaster needs a filename; the stream is dropped`);
    return undefined;
  }
  if (cls !== undefined && !FILE_CLASSES.includes(cls) && table.filename !== undefined) {
    ctx.note(section, classEntry?.entry, `${cls} writes no file; filename dropped`);
    delete table.filename;
  }
  return table;
}
