/** ringctl's outcomes and exit codes (docs/ctl.md): every failure is a CtlError with a class and a plain-English message. */

export const EXIT = { ok: 0, error: 1, usage: 2, partial: 3, timeout: 4, unreachable: 5 } as const;
export type Outcome = keyof typeof EXIT;

export class CtlError extends Error {
  constructor(readonly outcome: Exclude<Outcome, 'ok'>, message: string) {
    super(message);
    this.name = 'CtlError';
  }
}
