/** Public API of the Circus → Ringmaster config converter (behind `ringctl import-circus FILE.ini`). */
export { importCircus, type ImportResult } from './convert.ts';
export { CircusImportError } from './files.ts';
export { renderNote, renderNotes, type ImportNote } from './notes.ts';
export { parseIni, IniSyntaxError, type IniDocument, type IniSection, type IniEntry } from './ini.ts';
