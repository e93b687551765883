// A Svelte action that gives each rendered code block of a lesson a Copy button, and runnable
// ones a Run button. The lesson HTML comes sanitised from Rust; the buttons are added here.

export interface CodeBlockOptions {
  copyLabel: string;
  runLabel?: string;
  /** Without it (an item's description), nothing is offered to run. */
  onRun?: (index: number) => void;
}

export function codeBlocks(node: HTMLElement, options: CodeBlockOptions) {
  let current = options;

  function decorate() {
    node.querySelectorAll('.block-tools').forEach((el) => el.remove());
    node.querySelectorAll<HTMLPreElement>('pre[data-block]').forEach((pre) => {
      const index = Number(pre.dataset.block);
      const tools = document.createElement('div');
      tools.className = 'block-tools';
      const copy = document.createElement('button');
      copy.type = 'button';
      copy.textContent = current.copyLabel;
      copy.addEventListener('click', () => void navigator.clipboard?.writeText(pre.querySelector('code')?.textContent ?? ''));
      tools.append(copy);
      const onRun = current.onRun;
      if (pre.dataset.run === 'true' && onRun) {
        const run = document.createElement('button');
        run.type = 'button';
        run.className = 'primary';
        run.dataset.testid = `run-block-${index}`;
        run.textContent = current.runLabel ?? '';
        run.addEventListener('click', () => onRun(index));
        tools.append(run);
      }
      pre.after(tools);
    });
    // External links open nowhere inside the app; show where they point instead.
    node.querySelectorAll<HTMLAnchorElement>('a[data-external]').forEach((a) => {
      a.title = a.dataset.external ?? '';
      a.addEventListener('click', (e) => e.preventDefault());
    });
  }

  decorate();
  return {
    update(next: CodeBlockOptions) {
      current = next;
      decorate();
    },
  };
}
