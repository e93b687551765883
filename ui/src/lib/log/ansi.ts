// ANSI colour codes (SGR) in step output, turned into styled segments. Only colours and bold,
// dim, italic and underline are kept; every other escape sequence is dropped, so a log can
// never move the cursor, clear the view or change the window title.

export interface Segment {
  text: string;
  /** CSS classes from the log view's palette: `fg-1`, `bg-4`, `bold`... */
  classes: string;
}

interface Style {
  fg: number | null;
  bg: number | null;
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
}

const plain = (): Style => ({ fg: null, bg: null, bold: false, dim: false, italic: false, underline: false });

/** 256-colour and true-colour codes fold to the nearest of the 16 the palette has. */
function nearest16(r: number, g: number, b: number): number {
  const bright = Math.max(r, g, b) > 170 ? 8 : 0;
  const bit = (v: number) => (v > 85 ? 1 : 0);
  const base = bit(r) | (bit(g) << 1) | (bit(b) << 2);
  return base === 0 && bright ? 8 : base + bright;
}

function from256(n: number): number {
  if (n < 16) return n;
  if (n >= 232) {
    const level = (n - 232) * 10 + 8;
    return level > 170 ? 15 : level > 85 ? 7 : level > 40 ? 8 : 0;
  }
  const i = n - 16;
  const scale = (v: number) => (v === 0 ? 0 : 55 + v * 40);
  return nearest16(scale(Math.floor(i / 36)), scale(Math.floor(i / 6) % 6), scale(i % 6));
}

function apply(style: Style, params: number[]): Style {
  const s = { ...style };
  const at = (i: number) => params[i] ?? 0;
  for (let i = 0; i < params.length; i++) {
    const p = at(i);
    if (p === 0) Object.assign(s, plain());
    else if (p === 1) s.bold = true;
    else if (p === 2) s.dim = true;
    else if (p === 3) s.italic = true;
    else if (p === 4) s.underline = true;
    else if (p === 22) s.bold = s.dim = false;
    else if (p === 23) s.italic = false;
    else if (p === 24) s.underline = false;
    else if (p >= 30 && p <= 37) s.fg = p - 30;
    else if (p >= 90 && p <= 97) s.fg = p - 90 + 8;
    else if (p === 39) s.fg = null;
    else if (p >= 40 && p <= 47) s.bg = p - 40;
    else if (p >= 100 && p <= 107) s.bg = p - 100 + 8;
    else if (p === 49) s.bg = null;
    else if (p === 38 || p === 48) {
      let colour: number | null = null;
      if (params[i + 1] === 5 && params[i + 2] !== undefined) {
        colour = from256(at(i + 2));
        i += 2;
      } else if (params[i + 1] === 2 && params[i + 4] !== undefined) {
        colour = nearest16(at(i + 2), at(i + 3), at(i + 4));
        i += 4;
      }
      if (colour !== null) {
        if (p === 38) s.fg = colour;
        else s.bg = colour;
      }
    }
  }
  return s;
}

function classesOf(s: Style): string {
  const out: string[] = [];
  if (s.fg !== null) out.push(`fg-${s.fg}`);
  if (s.bg !== null) out.push(`bg-${s.bg}`);
  if (s.bold) out.push('bold');
  if (s.dim) out.push('dim');
  if (s.italic) out.push('italic');
  if (s.underline) out.push('underline');
  return out.join(' ');
}

// CSI sequences (ESC [ … final byte), OSC sequences (ESC ] … BEL or ESC \), and lone escapes.
// eslint-disable-next-line no-control-regex
const ESCAPE = /\x1b\[([0-9;?]*)([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?/g;

/** Splits one log line into styled segments. Each line starts plain, as each is its own row. */
export function parseAnsi(line: string): Segment[] {
  const out: Segment[] = [];
  let style = plain();
  let last = 0;
  const push = (text: string) => {
    if (!text) return;
    const classes = classesOf(style);
    const prev = out[out.length - 1];
    if (prev && prev.classes === classes) prev.text += text;
    else out.push({ text, classes });
  };
  for (const m of line.matchAll(ESCAPE)) {
    push(line.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[2] === 'm') {
      const params = !m[1] ? [0] : m[1].split(';').map((x) => Number(x) || 0);
      style = apply(style, params);
    }
  }
  push(line.slice(last));
  return out;
}

/** The text a person sees: escape sequences removed (for search and copy). */
export function stripAnsi(line: string): string {
  return line.includes('\x1b') ? line.replace(ESCAPE, '') : line;
}
