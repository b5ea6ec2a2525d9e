/** Reports [plugin:NAME] sections: Circus plugins are Python classes, so each gets a note with the nearest Ringmaster feature. */
import type { Context } from './context.ts';
import type { IniSection } from './ini.ts';

/** The last part of a plugin's `use` (class name, lower-cased) → what to use instead. */
const ALTERNATIVES: Record<string, string> = {
  statsdemitter: 'use the stats stream',
  flapping: 'Ringmaster\'s restart backoff (backoff_base, backoff_max) and max_retry replace flapping detection',
  watchdog: 'use ready_check / ready_notify for readiness; heartbeat watchdogs have no equivalent',
  resourcewatcher: 'use rlimit_* options and max_age to bound processes; the stats stream shows cpu and memory',
  httpobserver: 'use ready_check = "http://…" for readiness; periodic HTTP checks have no equivalent',
  commandreloader: 'restart the watcher from your deployment tool (ringctl restart) when its program changes',
  redisobserver: 'run the check as a separate watcher or from cron; there is no built-in equivalent',
};

/** Note one plugin section (it is not converted). */
export function reportPlugin(section: IniSection, ctx: Context): void {
  const use = section.entries.find((e) => e.key.toLowerCase() === 'use')?.value.trim() ?? '';
  const cls = use.split(/[.:]/).pop()?.toLowerCase() ?? '';
  const alternative = ALTERNATIVES[cls] ?? 'their behaviour has to be rebuilt outside ringd (e.g. a watcher subscribing to the event stream)';
  ctx.note(section, undefined, `plugins are not supported; ${alternative}`);
}
