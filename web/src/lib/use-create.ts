import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { keys } from '../api/queries.js';
import type { Accepted, Plan } from '../api/types.js';
import { splitErrors } from './form-errors.js';
import { navigate } from './router.js';

/** Post a create request (202 {project, job}) and open the job view; errors come back mapped to fields. */
export function useCreate(endpoint: string, fieldNames: string[]) {
  const qc = useQueryClient();
  const m = useMutation({
    mutationFn: (body: Record<string, unknown>) => api<Accepted>(endpoint, { method: 'POST', body }),
    onSuccess: (res) => {
      void qc.invalidateQueries({ queryKey: keys.projects });
      navigate(`/jobs/${res.job.id}`);
    },
  });
  return { ...m, errors: splitErrors(m.error, fieldNames) };
}

/** Ask for the plan of a create request (`dryRun: true` → 200 {plan}); nothing is created. */
export function usePreview(endpoint: string) {
  return useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      api<{ plan: Plan }>(endpoint, { method: 'POST', body: { ...body, dryRun: true } }),
  });
}

/** Parse `KEY=value` lines into an env object (blank lines and # comments skipped). */
export function parseEnvLines(text: string): { env: Record<string, string>; problem: string | null } {
  const env: Record<string, string> = {};
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) return { env, problem: `Line ${i + 1}: expected KEY=value` };
    env[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return { env, problem: null };
}
