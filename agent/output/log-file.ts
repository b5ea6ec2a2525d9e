/** One output file on disk: append, size and time rotation, and noticing an external rotation. */
import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { StreamConfig } from '../config/types.ts';
import { rotateToSuffix, rotationPeriod, shiftBackups, timedSuffix } from './rotation.ts';
import { compileTimeFormat, type TimeFormatter } from './timefmt.ts';

export const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));
const errCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | undefined)?.code;

export interface LogFileOptions {
  now: () => number;
  /** Minimum time between two stats of the path (external rotation check). */
  checkEvery: number;
  /** Non-fatal problems (a failed rename during rotation, a failed close). */
  report: (err: Error) => void;
}

export type RotationKind = 'time' | 'size';

/**
 * The file behind a FileSink. Methods are called by one async loop, one at a time; fatal errors
 * (open, write) are thrown to it. See FileSink for the rotation rules.
 */
export class LogFile {
  private fh: FileHandle | null = null;
  private ident = { dev: -1, ino: -1 };
  /** Bytes in the file, as far as we know (resynchronised at every external rotation check). */
  private size = 0;
  private lastCheck = 0;
  private firstOpen = true;
  private periodStart: number;
  private rolloverAt = Infinity;
  private suffixTime = 0;
  private readonly suffix?: { format: TimeFormatter; pattern: RegExp };

  constructor(readonly path: string, private readonly cfg: StreamConfig, private readonly o: LogFileOptions) {
    if (cfg.rotate_when) {
      const { format, pattern } = timedSuffix(cfg.rotate_when);
      this.suffix = { format: compileTimeFormat(format, cfg.utc), pattern };
    }
    this.periodStart = o.now();
  }

  get isOpen(): boolean {
    return this.fh !== null;
  }

  /** Opens for appending, creating the file and its missing parent folders. */
  async open(truncate = false): Promise<void> {
    let fh: FileHandle;
    try {
      fh = await open(this.path, 'a');
    } catch (err) {
      if (errCode(err) !== 'ENOENT') throw err;
      await mkdir(dirname(this.path), { recursive: true });
      fh = await open(this.path, 'a');
    }
    try {
      if (truncate) await fh.truncate(0);
      const st = await fh.stat();
      this.ident = { dev: st.dev, ino: st.ino };
      this.size = st.size;
      if (this.firstOpen) {
        this.firstOpen = false;
        // Like Python: a file with older content started its period when it was last written.
        this.startPeriod(st.size > 0 ? Math.min(this.periodStart, st.mtimeMs) : this.periodStart);
      }
    } catch (err) {
      await fh.close().catch(() => {});
      throw err;
    }
    this.fh = fh;
    this.lastCheck = this.o.now();
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    if (fh) await fh.close().catch((err: unknown) => this.o.report(asError(err)));
  }

  /** Forgets the handle at once (after a write error), closing it in the background. */
  drop(): void {
    const fh = this.fh;
    this.fh = null;
    fh?.close().catch(() => {});
  }

  async reopen(): Promise<void> {
    await this.close();
    await this.open();
  }

  /** When due, stats the path; reopens when it is gone or names another file (logrotate "create"). */
  async checkMoved(): Promise<void> {
    if (this.o.now() - this.lastCheck < this.o.checkEvery) return;
    this.lastCheck = this.o.now();
    let st;
    try {
      st = await stat(this.path);
    } catch (err) {
      if (errCode(err) !== 'ENOENT') return; // can't tell: keep writing where we are
    }
    if (st && st.dev === this.ident.dev && st.ino === this.ident.ino) {
      this.size = st.size; // catches "copytruncate"
      return;
    }
    await this.reopen();
  }

  /** The rotation needed before appending a `len`-byte line queued at `at`, after `batched` bytes. */
  rotationDue(at: number, batched: number, len: number): RotationKind | null {
    if (at >= this.rolloverAt) return 'time';
    const max = this.cfg.max_bytes;
    const used = this.size + batched;
    return max > 0 && used > 0 && used + len > max ? 'size' : null;
  }

  async rotate(kind: RotationKind, at: number): Promise<void> {
    if (kind === 'time') await this.rotateByTime(at);
    else await this.rotateBySize();
  }

  /** One write at the end of the file; returns how many bytes went in. */
  async write(buf: Buffer): Promise<number> {
    const { bytesWritten } = await this.fh!.write(buf, 0, buf.length);
    this.size += bytesWritten;
    return bytesWritten;
  }

  private async rotateBySize(): Promise<void> {
    await this.close();
    let truncate = this.cfg.backup_count <= 0;
    try {
      if (!truncate) await shiftBackups(this.path, this.cfg.backup_count);
    } catch (err) {
      this.o.report(asError(err));
      truncate = false;
    }
    await this.open(truncate);
    // Also when the rename failed: keep appending, and try again only after another max_bytes.
    this.size = 0;
  }

  private async rotateByTime(at: number): Promise<void> {
    if (this.size > 0) {
      await this.close();
      try {
        await rotateToSuffix(this.path, this.suffix!.format(this.suffixTime), this.cfg.backup_count, this.suffix!.pattern);
      } catch (err) {
        this.o.report(asError(err));
      }
    }
    this.startPeriod(at);
    if (!this.isOpen) await this.open();
  }

  private startPeriod(start: number): void {
    if (!this.cfg.rotate_when) return;
    const { end, suffixTime } = rotationPeriod(this.cfg.rotate_when, this.cfg.rotate_interval, start, this.cfg.utc);
    this.periodStart = start;
    this.rolloverAt = end;
    this.suffixTime = suffixTime;
  }
}
