/** Notes about what the Circus import could not convert (or changed), and their plain-English rendering. */

/** One thing that could not be converted faithfully, and why. */
export interface ImportNote {
  /** The ini file, as shown to the user (the main file as given, includes relative to its folder). */
  file: string;
  /** The ini section without brackets ("watcher:web", "plugin:statsd", "circus"); "" for the whole file. */
  section: string;
  /** The option within the section ("hooks.before_start"); "" for the whole section. */
  key: string;
  message: string;
  /** Line of the option (or section header) in `file`, when known. */
  line?: number;
}

/** Collects notes in the order they are found. */
export class Notes {
  readonly list: ImportNote[] = [];

  add(file: string, section: string, key: string, message: string, line?: number): void {
    const note: ImportNote = { file, section, key, message };
    if (line !== undefined) note.line = line;
    this.list.push(note);
  }
}

/** `circus.ini:12: [watcher:web] hooks.before_start: message`, or `circus.ini: [plugin:statsd]: message`. */
export function renderNote(note: ImportNote): string {
  const where = note.line === undefined ? note.file : `${note.file}:${note.line}`;
  const section = note.section === '' ? '' : `[${note.section}]`;
  const subject = [section, note.key].filter((s) => s !== '').join(' ');
  return subject === '' ? `${where}: ${note.message}` : `${where}: ${subject}: ${note.message}`;
}

/** Every note as one plain-English line, in order. */
export function renderNotes(notes: readonly ImportNote[]): string[] {
  return notes.map(renderNote);
}
