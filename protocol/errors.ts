/** Typed errors with stable codes, shared by the agent, the controller and the CLI. */

export const ERROR_CODES = {
  CONFIG_INVALID: 'CONFIG_INVALID',
  NOT_FOUND: 'NOT_FOUND',
  BAD_ARGUMENT: 'BAD_ARGUMENT',
  HOOK_FAILED: 'HOOK_FAILED',
  SPAWN_FAILED: 'SPAWN_FAILED',
  STOPPED: 'STOPPED',
  NOT_READY: 'NOT_READY',
} as const;
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export class RingError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'RingError';
    this.code = code;
  }
}

/** One problem in one config file: the file, the dotted key path and what was expected. */
export interface ConfigIssue {
  file: string;
  key: string;
  message: string;
}

export class ConfigError extends RingError {
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    super(ERROR_CODES.CONFIG_INVALID, issues.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export function formatIssue(i: ConfigIssue): string {
  return i.key ? `${i.file}: ${i.key}: ${i.message}` : `${i.file}: ${i.message}`;
}

/** Circus's `errno` values in error replies (circus/exc.py); Ringmaster keeps their meaning. */
export const ERRNO = {
  NOT_SPECIFIED: 0,
  INVALID_JSON: 1,
  UNKNOWN_COMMAND: 2,
  MESSAGE_ERROR: 3,
  OS_ERROR: 4,
  COMMAND_ERROR: 5,
  BAD_MSG_DATA_ERROR: 6,
} as const;
export type Errno = (typeof ERRNO)[keyof typeof ERRNO];

/** An error a command reports to its caller, with the Circus errno it maps to. */
export class CommandError extends Error {
  constructor(message: string, readonly errno: Errno = ERRNO.MESSAGE_ERROR) {
    super(message);
    this.name = 'CommandError';
  }
}

/** The errno a failure maps to on the wire. */
export function errnoOf(err: unknown): Errno {
  if (err instanceof CommandError) return err.errno;
  if (err instanceof RingError) {
    switch (err.code) {
      case 'NOT_FOUND': case 'BAD_ARGUMENT': case 'CONFIG_INVALID': return ERRNO.MESSAGE_ERROR;
      case 'SPAWN_FAILED': return ERRNO.OS_ERROR;
      case 'HOOK_FAILED': case 'STOPPED': case 'NOT_READY': return ERRNO.COMMAND_ERROR;
    }
  }
  if (err && typeof err === 'object' && 'syscall' in err) return ERRNO.OS_ERROR;
  return ERRNO.COMMAND_ERROR;
}
