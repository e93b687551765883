// The system check (Docker, git, disk, workspace): the same report as `devloop doctor --json`.
import type { Report } from '../bindings';
import { commands } from '../commands';

/** The CLI command that prints the same report. */
export const doctorCli = 'devloop doctor';

export function runDoctor(): Promise<Report> {
  return commands.doctorReport();
}
