/** Properties shared by many commands, defined once. */
import { p } from './define.ts';

export const waiting = p.boolean({ description: 'Reply only when the operation finished, with its result (errors become error replies).' }).optional;
export const watcherName = p.string({ description: 'Watcher name.', complete: 'watcher' });
export const match = p.choice(['glob', 'simple', 'regex'] as const, { description: 'How `name` matches watcher names: glob (default), simple (exact) or regex.' }).optional;
export const nb = p.integer({ description: 'How many processes (default 1).', min: 0 }).optional;
