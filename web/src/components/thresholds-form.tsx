import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { api } from '../api/client.js';
import type { Thresholds } from '../api/types.js';
import { splitErrors } from '../lib/form-errors.js';
import { Button, ErrorView, Loading, TextField } from './ui.js';

type Pair = { percent: string; minutes: string };
const toPair = (t: Thresholds['cpu']): Pair => ({
  percent: t ? String(t.percent) : '',
  minutes: t ? String(t.minutes) : '',
});
const fromPair = (p: Pair) =>
  p.percent.trim() === '' ? null : { percent: Number(p.percent), minutes: Number(p.minutes || '5') };

/** A project's alert thresholds: CPU and memory over N % for M minutes (empty = no alert). */
export function ThresholdsForm({ projectId }: { projectId: string }) {
  const qc = useQueryClient();
  const key = ['thresholds', projectId];
  const q = useQuery({
    queryKey: key,
    queryFn: () => api<Thresholds>(`/api/v1/projects/${projectId}/thresholds`),
  });
  const [cpu, setCpu] = useState<Pair>({ percent: '', minutes: '' });
  const [memory, setMemory] = useState<Pair>({ percent: '', minutes: '' });
  useEffect(() => {
    if (!q.data) return;
    setCpu(toPair(q.data.cpu));
    setMemory(toPair(q.data.memory));
  }, [q.data]);
  const save = useMutation({
    mutationFn: () =>
      api<Thresholds>(`/api/v1/projects/${projectId}/thresholds`, {
        method: 'PUT',
        body: { cpu: fromPair(cpu), memory: fromPair(memory) },
      }),
    onSuccess: (t) => qc.setQueryData(key, t),
  });
  if (q.isPending) return <Loading />;
  if (q.error) return <ErrorView error={q.error} />;
  const errors = splitErrors(save.error, ['cpu.percent', 'cpu.minutes', 'memory.percent', 'memory.minutes']);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form className="form" onSubmit={submit} noValidate>
      <p className="muted small">
        Notifies the channels subscribed to “cpu.high” / “memory.high” when a container of this project stays
        over the threshold. Leave a percentage empty for no alert.
      </p>
      <div className="grid-2">
        <TextField
          label="CPU over (%)"
          hint="100 % = one core busy."
          name="cpuPercent"
          value={cpu.percent}
          error={errors.fields['cpu.percent']}
          onChange={(v) => setCpu({ ...cpu, percent: v })}
        />
        <TextField
          label="for (minutes)"
          name="cpuMinutes"
          value={cpu.minutes}
          error={errors.fields['cpu.minutes']}
          onChange={(v) => setCpu({ ...cpu, minutes: v })}
        />
      </div>
      <div className="grid-2">
        <TextField
          label="Memory over (% of limit)"
          name="memoryPercent"
          value={memory.percent}
          error={errors.fields['memory.percent']}
          onChange={(v) => setMemory({ ...memory, percent: v })}
        />
        <TextField
          label="for (minutes)"
          name="memoryMinutes"
          value={memory.minutes}
          error={errors.fields['memory.minutes']}
          onChange={(v) => setMemory({ ...memory, minutes: v })}
        />
      </div>
      {errors.general.length > 0 && <ErrorView error={save.error} />}
      <div className="actions">
        <Button type="submit" variant="primary" busy={save.isPending}>
          Save thresholds
        </Button>
        {save.isSuccess && !save.isPending && (
          <span role="status" className="ok-text">
            Saved
          </span>
        )}
      </div>
    </form>
  );
}
