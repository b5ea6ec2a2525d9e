/** An ini reader with the configparser rules Circus's StrictConfigParser applies (see docs/import-circus.md). */

/** One `key = value` option; `value` already has continuation lines joined with "\n". */
export interface IniEntry {
  key: string;
  value: string;
  file: string;
  line: number;
}

export interface IniSection {
  /** The text between the brackets, as written ("watcher:web"). */
  header: string;
  /** Where the header first appeared. */
  file: string;
  line: number;
  /** Every file with this header, first one first (a repeated header merges into the first section). */
  files: string[];
  /** Options in order of appearance; a key is kept only once (the first occurrence wins, as in Circus). */
  entries: IniEntry[];
  /** Later occurrences of an option already set in this section: ignored by Circus, kept here for notes. */
  ignored: IniEntry[];
}

/** Sections in order of first appearance; reading several files into one document merges them like configparser. */
export interface IniDocument {
  sections: IniSection[];
}

export interface IniProblem {
  line: number;
  message: string;
}

/** The ini text could not be parsed; every bad line is listed (configparser's ParsingError). */
export class IniSyntaxError extends Error {
  readonly file: string;
  readonly problems: IniProblem[];

  constructor(file: string, problems: IniProblem[]) {
    super(problems.map((p) => `${file}:${p.line}: ${p.message}`).join('\n'));
    this.name = 'IniSyntaxError';
    this.file = file;
    this.problems = problems;
  }
}

export function emptyDocument(): IniDocument {
  return { sections: [] };
}

/** The entry of `key` (exact spelling), if the section has it. */
export function entryOf(section: IniSection, key: string): IniEntry | undefined {
  return section.entries.find((e) => e.key === key);
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\f' || c === '\v';
}

/** Value after the delimiter: an inline comment starts at a ";" preceded by whitespace; `""` means empty. */
function cleanValue(raw: string): string {
  let value = raw;
  for (let i = value.indexOf(';'); i >= 0; i = value.indexOf(';', i + 1)) {
    if (i > 0 && isSpace(value[i - 1])) {
      value = value.slice(0, i);
      break;
    }
  }
  value = value.trim();
  return value === '""' ? '' : value;
}

function shorten(line: string): string {
  const text = line.trim();
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

/**
 * Parse `text` (the contents of `file`) into `doc`, merging repeated sections the way configparser
 * does when Circus reads its main file and then its includes into one parser:
 * - blank lines and lines starting with `#` or `;` (also indented), or with the word `rem`, are skipped;
 * - `key = value` and `key: value` (the first `=` or `:` splits); an inline comment starts at a `;`
 *   that follows whitespace; a value written `""` is the empty string;
 * - indented lines continue the previous option's value (joined with "\n");
 * - the first occurrence of an option in a section wins (exact spelling, as Circus compares keys);
 * Throws an IniSyntaxError listing every line that is none of these.
 */
export function parseIni(text: string, file: string, doc: IniDocument = emptyDocument()): IniDocument {
  const problems: IniProblem[] = [];
  let section: IniSection | undefined;
  // The option that indented lines continue (the ignored duplicate, if the last option was one).
  let current: IniEntry | undefined;
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  lines.forEach((line, index) => {
    const lineNo = index + 1;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed[0] === '#' || trimmed[0] === ';') return;
    if (/^rem(\s|$)/i.test(line)) return;
    if (isSpace(line[0]) && current !== undefined) {
      current.value += `\n${trimmed}`;
      return;
    }
    if (line[0] === '[') {
      // As configparser: the header runs to the last "]"; whatever follows it is ignored.
      const end = line.lastIndexOf(']');
      const header = end > 0 ? line.slice(1, end) : '';
      if (header.trim() === '') {
        problems.push({ line: lineNo, message: `bad section header ${shorten(line)}; expected [NAME]` });
        // Its options go to a throwaway section, so one bad header is reported once.
        section = { header, file, line: lineNo, files: [file], entries: [], ignored: [] };
      } else {
        section = doc.sections.find((s) => s.header === header);
        if (section === undefined) {
          section = { header, file, line: lineNo, files: [file], entries: [], ignored: [] };
          doc.sections.push(section);
        } else if (!section.files.includes(file)) {
          section.files.push(file);
        }
      }
      current = undefined;
      return;
    }
    const delimiter = line.search(/[=:]/);
    if (delimiter < 0) {
      problems.push({ line: lineNo, message: `expected "key = value", "[section]" or a comment, got ${shorten(line)}` });
      current = undefined;
      return;
    }
    const key = line.slice(0, delimiter).trim();
    if (key === '') {
      problems.push({ line: lineNo, message: `option without a name: ${shorten(line)}` });
      current = undefined;
      return;
    }
    if (section === undefined) {
      if (!problems.some((p) => p.message.startsWith('option outside'))) {
        problems.push({ line: lineNo, message: `option outside any section (the file must start with a [section] header): ${shorten(line)}` });
      }
      current = undefined;
      return;
    }
    const entry: IniEntry = { key, value: cleanValue(line.slice(delimiter + 1)), file, line: lineNo };
    if (section.entries.some((e) => e.key === key)) section.ignored.push(entry);
    else section.entries.push(entry);
    current = entry;
  });
  if (problems.length > 0) throw new IniSyntaxError(file, problems);
  return doc;
}
