// The lines of one job's log in the page: appended as events arrive, read by index by the
// virtualised view, searched as plain text. Stored in fixed-size chunks so a million lines
// never means one giant array being copied, and capped so memory stays bounded: past the
// cap the oldest chunk goes, and the view says how many lines are only in the log file.

export interface LogLine {
  text: string;
  stderr: boolean;
  /** The step that printed it (0 for what DevLoop says about the job; -1 for a step's title row). */
  step: number;
  /** When it was printed (unix milliseconds), when the source says. */
  at?: number;
}

const CHUNK = 4096;

export class LogBuffer {
  private chunks: LogLine[][] = [];
  private chars = 0;
  /** Lines dropped from the front to stay under the caps. */
  dropped = 0;

  constructor(
    // 1.5 million rows of 18 px stay under the 33.5 million px a WebKit element can be tall.
    readonly maxLines = 1_500_000,
    readonly maxChars = 256 * 1024 * 1024,
  ) {}

  get length(): number {
    if (this.chunks.length === 0) return 0;
    return (this.chunks.length - 1) * CHUNK + (this.chunks[this.chunks.length - 1]?.length ?? 0);
  }

  push(line: LogLine): void {
    let tail = this.chunks[this.chunks.length - 1];
    if (!tail || tail.length === CHUNK) {
      tail = [];
      this.chunks.push(tail);
    }
    tail.push(line);
    this.chars += line.text.length;
    while (this.chunks.length > 1 && (this.length > this.maxLines || this.chars > this.maxChars)) {
      const gone = this.chunks.shift()!;
      this.dropped += gone.length;
      this.chars -= gone.reduce((n, l) => n + l.text.length, 0);
    }
  }

  get(index: number): LogLine | undefined {
    return this.chunks[Math.floor(index / CHUNK)]?.[index % CHUNK];
  }

  /** Indexes (from `from` on) of the lines whose visible text contains `query`, ignoring case. */
  find(query: string, visible: (text: string) => string, from = 0): number[] {
    const needle = query.toLowerCase();
    const hits: number[] = [];
    if (!needle) return hits;
    const start = Math.floor(from / CHUNK);
    this.chunks.slice(start).forEach((chunk, n) => {
      const c = start + n;
      chunk.forEach((line, k) => {
        if ((c > start || k >= from % CHUNK) && visible(line.text).toLowerCase().includes(needle)) hits.push(c * CHUNK + k);
      });
    });
    return hits;
  }
}
