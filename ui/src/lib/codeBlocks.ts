// A Svelte action that gives each rendered code block of a lesson a Copy button, runnable ones a
// Run button, and a place right under the block for what a run printed. The lesson HTML comes
// sanitised from Rust; the buttons are added here, and again whenever that HTML is replaced (a
// language switch, another lesson), which re-renders the blocks without them.

export interface CodeBlockOptions {
  copyLabel: string;
  runLabel?: string;
  /** Without it (an item's description), nothing is offered to run. */
  onRun?: (index: number) => void;
}

/** Where a block's run output goes: the element under block `index`, if it is shown. */
export function outputSlot(node: HTMLElement, index: number): HTMLElement | null {
  return node.querySelector<HTMLElement>(`.block-output[data-output="${index}"]`);
}

export function codeBlocks(node: HTMLElement, options: CodeBlockOptions) {
  let current = options;

  /** Adds the tools to every block that has none; `all` re-does every block (new labels). */
  function decorate(all: boolean) {
    if (all) node.querySelectorAll('.block-tools, .block-output').forEach((el) => el.remove());
    node.querySelectorAll<HTMLPreElement>('pre[data-block]').forEach((pre) => {
      if (pre.nextElementSibling?.classList.contains('block-tools')) return;
      const index = Number(pre.dataset.block);
      const tools = document.createElement('div');
      tools.className = 'block-tools';
      const copy = document.createElement('button');
      copy.type = 'button';
      copy.textContent = current.copyLabel;
      copy.addEventListener('click', () => void navigator.clipboard?.writeText(pre.querySelector('code')?.textContent ?? ''));
      tools.append(copy);
      if (pre.dataset.run === 'true' && current.onRun) {
        const run = document.createElement('button');
        run.type = 'button';
        run.className = 'primary';
        run.dataset.testid = `run-block-${index}`;
        run.textContent = current.runLabel ?? '';
        run.addEventListener('click', () => current.onRun?.(index));
        tools.append(run);
      }
      const slot = document.createElement('div');
      slot.className = 'block-output';
      slot.dataset.output = String(index);
      pre.after(tools, slot);
    });
    // External links open nowhere inside the app; show where they point instead.
    node.querySelectorAll<HTMLAnchorElement>('a[data-external]:not([data-guarded])').forEach((a) => {
      a.dataset.guarded = 'true';
      a.title = a.dataset.external ?? '';
      a.addEventListener('click', (e) => e.preventDefault());
    });
  }

  decorate(true);
  // New HTML replaces the blocks and their tools together: decorate what arrived. Only blocks
  // without tools are touched, so the tools added here do not set this off again.
  const observer = new MutationObserver(() => decorate(false));
  observer.observe(node, { childList: true, subtree: true });
  return {
    update(next: CodeBlockOptions) {
      const relabel =
        next.copyLabel !== current.copyLabel || next.runLabel !== current.runLabel || !next.onRun !== !current.onRun;
      current = next;
      // Labels change with the language; a run's output stays put otherwise.
      if (relabel) decorate(true);
    },
    destroy() {
      observer.disconnect();
    },
  };
}
