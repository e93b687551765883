// Monitor: the dashboard (charts drawn by the engine as SVG, the values behind them), alerts,
// exports and the alert rules.
import type { ChartView, MonitorView, MonitorWindow, Rule } from '../bindings';
import type { Messages } from '../i18n/en';
import { fmt } from '../i18n/index.svelte';
import { shellQuote } from '../shell';
import { commands } from '../commands';

/** Minutes east of UTC here, so the charts' time axis reads as the learner's clock. */
const utcOffsetMin = () => -new Date().getTimezoneOffset();

export function getMonitorView(window: MonitorWindow, width: number, height: number, dark: boolean, scraped: string | null): Promise<MonitorView> {
  return commands.monitorView({ window, width, height, dark, utcOffsetMin: utcOffsetMin(), scraped });
}

export function getProbes(): Promise<string[]> {
  return commands.monitorProbes();
}

export function setProbes(urls: string[]): Promise<string[]> {
  return commands.monitorProbesSet({ urls });
}

/** Writes the dashboard as a PNG or its data as CSV; the file's path comes back. */
/** Writes the dashboard as PNG or CSV; `titles` (chart id → the page's title, with its unit,
 *  in the learner's language) title the PNG's charts. */
export function exportMonitor(window: MonitorWindow, format: 'png' | 'csv', titles: Record<string, string> = {}): Promise<string> {
  return commands.monitorExport({ window, format, utcOffsetMin: utcOffsetMin(), titles });
}

export function getRules(): Promise<Rule[]> {
  return commands.monitorRules();
}

/** The CLI twin of adding `rule` (the page offers "above" and "below"). */
export function addRuleCommand(rule: Rule): string {
  return [
    `devloop alerts add ${shellQuote(rule.name)}`,
    `--metric ${shellQuote(rule.metric)}`,
    `--${rule.comparator === '<' || rule.comparator === '<=' ? 'below' : 'above'} ${rule.threshold}`,
    `--for ${rule.forS}`,
    `--severity ${rule.severity}`,
    rule.description ? `--description ${shellQuote(rule.description)}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/** The CLI twin of saving the probe form: one argument a non-empty line. */
export function probesCommand(text: string): string {
  const urls = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return ['devloop probes', ...urls.map(shellQuote)].join(' ');
}

export function setRules(rules: Rule[]): Promise<Rule[]> {
  return commands.monitorRulesSet({ rules });
}

/** The time and each line's value under a pointer at `x` pixels across the chart, if inside its plot. */
export function valuesAt(chart: ChartView, x: number): { at: number; values: { label: string; value: number | null }[] } | null {
  const { left, right } = chart.area;
  if (x < left || x > right || right <= left) return null;
  const at = chart.from + ((x - left) / (right - left)) * (chart.to - chart.from);
  const i = Math.round((at - chart.from) / chart.step);
  return {
    at: Math.round(at),
    values: chart.lines.map((l) => ({ label: l.label, value: l.values[Math.min(i, l.values.length - 1)] ?? null })),
  };
}

/** The highest value any line of `chart` has in its window (0 when it has none). */
export function maxOf(chart: ChartView): number {
  let max = 0;
  for (const l of chart.lines) for (const v of l.values) if (v !== null && v > max) max = v;
  return max;
}

/** A rule's description: a built-in one said from its figures in `m`'s language, a learner's
 *  own as they wrote it. */
export function ruleText(m: Messages, name: string, own: string, threshold: number, forS: number): string {
  if (own) return own;
  const template = (m.monitor.builtinRules as Record<string, string>)[name];
  if (!template) return '';
  const lasting = forS > 0 ? fmt(m.monitor.lasting, { s: forS }) : '';
  return fmt(template, { threshold, lasting });
}
