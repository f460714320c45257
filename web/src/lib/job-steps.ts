// The job runner (src/jobs/job-context.ts `step()`) writes system lines
//   "▶ <title>", "✓ <title> (1.2 s)" and "✗ <title> failed after 1.2 s: <reason>".
// The step list is derived from those lines, so it works for live and finished jobs alike.

/** A step of a job as seen in its log. */
export interface JobStep {
  title: string;
  state: 'running' | 'done' | 'failed';
  seq: number;
  took: string | null;
  reason: string | null;
}

const START = /^▶ (.+)$/;
const DONE = /^✓ (.+) \(([\d.]+ s)\)$/;
const FAILED = /^✗ (.+) failed after ([\d.]+ s): (.*)$/;

/** Build the step list from log lines (only `system` lines can start or end a step). */
export function deriveSteps(lines: readonly { seq: number; stream: string; text: string }[]): JobStep[] {
  const steps: JobStep[] = [];
  const open = (title: string) =>
    [...steps].reverse().find((s) => s.title === title && s.state === 'running');
  for (const line of lines) {
    if (line.stream !== 'system') continue;
    let m = START.exec(line.text);
    if (m) {
      steps.push({ title: m[1] as string, state: 'running', seq: line.seq, took: null, reason: null });
      continue;
    }
    m = DONE.exec(line.text);
    if (m) {
      const s = open(m[1] as string);
      if (s) Object.assign(s, { state: 'done', took: m[2] });
      continue;
    }
    m = FAILED.exec(line.text);
    if (m) {
      const s = open(m[1] as string);
      if (s) Object.assign(s, { state: 'failed', took: m[2], reason: m[3] });
    }
  }
  return steps;
}

/** Steps still "running" when the job ended did not finish: show them as failed. */
export const closeSteps = (steps: JobStep[], finished: boolean): JobStep[] =>
  finished ? steps.map((s) => (s.state === 'running' ? { ...s, state: 'failed' as const } : s)) : steps;
