// Words for the CLI twins a learner copies into a shell: quoted only when a shell would split
// or expand them, in single quotes, which expand nothing.
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}
