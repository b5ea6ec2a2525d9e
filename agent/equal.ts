/** Equality of plain configuration data (what JSON can hold): decides whether a setting changed. */
export const sameData = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
