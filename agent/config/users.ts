/** User and group names → ids, read from /etc/passwd and /etc/group (no libc calls). */
import fs from 'node:fs';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

/** Files consulted; tests may point these elsewhere. */
export const ACCOUNT_FILES = { passwd: '/etc/passwd', group: '/etc/group' };

function readColonFile(file: string): string[][] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'));
}

function users(): PasswdEntry[] {
  return readColonFile(ACCOUNT_FILES.passwd)
    .filter((f) => f.length >= 4 && /^\d+$/.test(f[2]) && /^\d+$/.test(f[3]))
    .map((f) => ({ name: f[0], uid: Number(f[2]), gid: Number(f[3]) }));
}

/** The passwd entry of a user name, or undefined. */
export function userByName(name: string): PasswdEntry | undefined {
  return users().find((u) => u.name === name);
}

/** The passwd entry of a numeric uid, or undefined. */
export function userById(uid: number): PasswdEntry | undefined {
  return users().find((u) => u.uid === uid);
}

/** The gid of a group name, or undefined. */
export function groupByName(name: string): number | undefined {
  const entry = readColonFile(ACCOUNT_FILES.group).find((f) => f.length >= 3 && f[0] === name && /^\d+$/.test(f[2]));
  return entry === undefined ? undefined : Number(entry[2]);
}
