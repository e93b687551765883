// Values only known at run time (a scroll height, a grid span) reach CSS as custom properties
// set through the CSSOM. The CSP forbids style attributes; the CSSOM is allowed, and keeping
// every such value a `--variable` keeps the rules themselves in the stylesheet.

export function cssVars(node: HTMLElement, vars: Record<string, string | number>) {
  const set = (v: Record<string, string | number>) => {
    for (const [k, value] of Object.entries(v)) node.style.setProperty(`--${k}`, String(value));
  };
  set(vars);
  return { update: set };
}
