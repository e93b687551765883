import { describe, expect, it } from 'vitest';
import { figure, headingAt, loopPath, pointAt, stageParam, stagePoints, stepStage } from './geometry';

describe('the loop figure', () => {
  const points = stagePoints(8);

  it('puts the first four stages (Dev) left of centre and the last four (Ops) right of it', () => {
    points.slice(0, 4).forEach((p) => expect(p.x).toBeLessThan(figure.width / 2));
    points.slice(4).forEach((p) => expect(p.x).toBeGreaterThan(figure.width / 2));
  });

  it('keeps every stage inside the drawing and apart from the others', () => {
    for (const p of points) {
      expect(p.x).toBeGreaterThan(0);
      expect(p.x).toBeLessThan(figure.width);
      expect(p.y).toBeGreaterThan(0);
      expect(p.y).toBeLessThan(figure.height);
    }
    for (let i = 0; i < points.length; i++)
      for (let j = i + 1; j < points.length; j++) {
        const d = Math.hypot(points[i]!.x - points[j]!.x, points[i]!.y - points[j]!.y);
        expect(d, `stages ${i} and ${j}`).toBeGreaterThan(120);
      }
  });

  it('crosses the centre between Monitor and Plan: refine and repeat', () => {
    const centre = pointAt(Math.PI / 2);
    expect(centre.x).toBeCloseTo(figure.width / 2, 6);
    expect(centre.y).toBeCloseTo(figure.height / 2, 6);
    expect(stageParam(7)).toBeLessThan(Math.PI / 2 + 2 * Math.PI);
    expect(stageParam(8)).toBeGreaterThan(Math.PI / 2 + 2 * Math.PI);
  });

  it('draws a closed path and points arrows along the travel', () => {
    expect(loopPath()).toMatch(/^M[\d.]+ [\d.]+ L/);
    expect(loopPath().endsWith('Z')).toBe(true);
    // Leaving the centre towards Plan the path heads up and to the left.
    const heading = headingAt(Math.PI / 2 + 0.01);
    expect(heading).toBeLessThan(-90);
    expect(heading).toBeGreaterThan(-180);
  });

  it('wraps arrow-key movement round the loop', () => {
    expect(stepStage(7, 1, 8)).toBe(0);
    expect(stepStage(0, -1, 8)).toBe(7);
    expect(stepStage(3, 1, 8)).toBe(4);
  });
});
