/** Every default of the terminal UI in one place: refresh rates, buffer sizes, layout thresholds. */

/** Shortest time between two frames after a change people act on (connection, deltas, events, logs). */
export const PUBLISH_MS = 250;
/** Shortest time between two frames when only figures changed (stats, heartbeats): keeps idle CPU near zero. */
export const STATS_PUBLISH_MS = 1500;

/** Samples kept per watcher for the CPU sparkline (at the agents' default 5 s stats interval: the last 5 minutes). */
export const SPARK_SAMPLES = 60;
/** Events kept for the events pane. */
export const EVENTS_KEPT = 200;
/** Output lines kept by the log pane. */
export const LOG_LINES_KEPT = 2000;
/** Output lines asked for when a log pane opens. */
export const LOG_BACKLOG = 100;

/** Fleet: how often the controllers' snapshot is asked for again (also tells whether a controller still answers). */
export const SNAPSHOT_REFRESH_MS = 10_000;
/** Fleet: the wait before another attempt after NATS or the controllers could not be reached. */
export const RETRY_MS = 2000;

/** One agent: how often the inventory is asked for (events ask for it sooner). */
export const LOCAL_POLL_MS = 2000;
/** One agent: the pause after an event before the inventory is asked for (several events, one request). */
export const LOCAL_EVENT_DEBOUNCE_MS = 150;
/** One agent: how often `tail` is asked for while a log pane is open. */
export const LOCAL_TAIL_MS = 500;
/** One agent: lines `tail` is asked for at each poll (enough to cover what came since the previous one). */
export const LOCAL_TAIL_LINES = 1000;

/** The smallest screen the layout is made for; larger screens get more columns and taller panes. */
export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;
/** Rows of the events pane (its title included) by screen height. */
export const EVENTS_PANE_ROWS: readonly { minRows: number; rows: number }[] = [
  { minRows: 45, rows: 12 },
  { minRows: 32, rows: 8 },
  { minRows: 0, rows: 5 },
];

/** Entries kept in the command line's history (shared with `ringctl shell`). */
export const HISTORY_SIZE = 1000;

/** Signals the signal picker offers, most used first. */
export const SIGNALS = ['HUP', 'TERM', 'INT', 'QUIT', 'KILL', 'USR1', 'USR2', 'STOP', 'CONT', 'WINCH', 'TTIN', 'TTOU'] as const;
