// Where the eight stages sit on the infinity figure. Pure maths, so it is tested without a browser.
//
// The figure is a lemniscate of Bernoulli. Its parameter t runs once round the whole
// figure-eight: t = π/2 is the centre crossing, the left lobe (Dev) is t ∈ (π/2, 3π/2) and the
// right lobe (Ops) is the rest. Stages are spread evenly, starting just after the centre,
// so Plan opens the Dev lobe and Monitor closes the Ops lobe, right before the crossing back
// to Plan: that crossing is "refine and repeat".

export interface Point {
  x: number;
  y: number;
}

export interface Figure {
  width: number;
  height: number;
  /** Half the figure's width. */
  a: number;
  /** Stretches the lobes vertically; a bare lemniscate is too flat for labels. */
  squash: number;
}

export const figure: Figure = { width: 1000, height: 420, a: 430, squash: 1.55 };

const START = Math.PI / 2 + Math.PI / 8;
const STEP = Math.PI / 4;

/** The point at parameter t. */
export function pointAt(t: number, f: Figure = figure): Point {
  const s = Math.sin(t);
  const c = Math.cos(t);
  const d = 1 + s * s;
  return {
    x: f.width / 2 + (f.a * c) / d,
    y: f.height / 2 + (f.a * f.squash * s * c) / d,
  };
}

/** Parameter of the i-th stage (0 = Plan). */
export function stageParam(i: number): number {
  return START + i * STEP;
}

/** Positions of `count` stages in loop order. */
export function stagePoints(count: number, f: Figure = figure): Point[] {
  return Array.from({ length: count }, (_, i) => pointAt(stageParam(i), f));
}

/** An SVG path along the figure from t0 to t1 (t1 > t0), sampled finely enough to look smooth. */
export function arcPath(t0: number, t1: number, f: Figure = figure, samples = 64): string {
  const parts: string[] = [];
  for (let i = 0; i <= samples; i++) {
    const p = pointAt(t0 + ((t1 - t0) * i) / samples, f);
    parts.push(`${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)} ${p.y.toFixed(1)}`);
  }
  return parts.join(' ');
}

/** The whole figure as one closed path. */
export function loopPath(f: Figure = figure): string {
  return arcPath(0, 2 * Math.PI, f, 240) + ' Z';
}

/** The crossing from the last stage back to the first: "refine and repeat". */
export function refinePath(count: number, f: Figure = figure): string {
  return arcPath(stageParam(count - 1), stageParam(count), f, 48);
}

/** Direction of travel at t, in degrees, for drawing arrowheads. */
export function headingAt(t: number, f: Figure = figure): number {
  const h = 1e-4;
  const p = pointAt(t - h, f);
  const q = pointAt(t + h, f);
  return (Math.atan2(q.y - p.y, q.x - p.x) * 180) / Math.PI;
}

/** Index of the stage the arrow keys move to: along the loop, wrapping round. */
export function stepStage(index: number, delta: number, count: number): number {
  return (((index + delta) % count) + count) % count;
}
