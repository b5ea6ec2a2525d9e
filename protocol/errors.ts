/** Typed errors with stable codes, shared by the agent, the controller and the CLI. */

export const ERROR_CODES = {
  CONFIG_INVALID: 'CONFIG_INVALID',
  NOT_FOUND: 'NOT_FOUND',
  BAD_ARGUMENT: 'BAD_ARGUMENT',
  HOOK_FAILED: 'HOOK_FAILED',
  SPAWN_FAILED: 'SPAWN_FAILED',
  STOPPED: 'STOPPED',
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
