/** ringd's own leveled logger: one line per message on stderr, safe to call from anywhere. */

export const LOG_LEVELS = ['debug', 'info', 'warning', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warning(msg: string): void;
  error(msg: string): void;
  setLevel(level: LogLevel): void;
}

export function createLogger(level: LogLevel = 'info', out: NodeJS.WritableStream = process.stderr): Logger {
  let min = LOG_LEVELS.indexOf(level);
  const write = (lvl: LogLevel) => (msg: string) => {
    if (LOG_LEVELS.indexOf(lvl) < min) return;
    out.write(`${new Date().toISOString()} ${lvl.padEnd(7)} ${msg}\n`);
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warning: write('warning'),
    error: write('error'),
    setLevel(l) { min = LOG_LEVELS.indexOf(l); },
  };
}

/** A logger that discards everything (library use and tests). */
export const silentLogger: Logger = { debug() {}, info() {}, warning() {}, error() {}, setLevel() {} };
