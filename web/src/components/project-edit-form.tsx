import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../api/client.js';
import { keys, queries } from '../api/queries.js';
import type { Accepted, Project, ProjectEdit } from '../api/types.js';
import { subdomainProblem } from '../lib/dns-label.js';
import { splitErrors } from '../lib/form-errors.js';
import { navigate } from '../lib/router.js';
import { parseEnvLines } from '../lib/use-create.js';
import { SubdomainField } from './subdomain-field.js';
import { Button, ErrorView, Field, NumberField, TextField } from './ui.js';

/**
 * The form's fields per project kind (what `PATCH /api/v1/projects/:id` takes for it). Where it runs
 * is offered when the engine is a Swarm manager (or the project is on the Swarm already).
 */
function fieldsOf(p: Project, swarm: boolean): (keyof ProjectEdit)[] {
  const placement = swarm || p.target === 'swarm' ? (['target', 'replicas'] as const) : [];
  if (p.kind === 'quick') return ['image', 'containerPort', 'env', 'subdomain', 'name', ...placement];
  if (p.kind === 'forward') return ['port', 'subdomain', 'name'];
  return [
    'subdomain',
    'name',
    'service',
    ...(p.repo ? (['branch', 'autoDeploy'] as const) : []),
    ...placement,
  ];
}

const LABELS: Record<string, string> = {
  image: 'Image',
  containerPort: 'Container port',
  env: 'Environment',
  subdomain: 'Subdomain',
  name: 'Name',
  service: 'Service to publish',
  branch: 'Branch',
  autoDeploy: 'Deploy on push',
  port: 'Host port',
  target: 'Runs on',
  replicas: 'Replicas',
};

type Values = Record<
  | 'image'
  | 'containerPort'
  | 'env'
  | 'subdomain'
  | 'name'
  | 'service'
  | 'branch'
  | 'port'
  | 'target'
  | 'replicas',
  string
> & {
  autoDeploy: boolean;
};

const initial = (p: Project): Values => ({
  image: p.image ?? '',
  containerPort: String(p.settings.containerPort ?? ''),
  env: '',
  subdomain: p.subdomain ?? '',
  name: p.name,
  service: p.settings.service ?? '',
  branch: p.settings.branch ?? '',
  port: String(p.hostPort ?? ''),
  target: p.settings.target ?? p.target,
  replicas: String(p.settings.replicas ?? 2),
  autoDeploy: p.settings.autoDeploy ?? false,
});

/** Only what changed goes out (the env only when something was typed: its values are never shown). */
function changes(p: Project, v: Values, fields: (keyof ProjectEdit)[]): ProjectEdit | { problem: string } {
  const from = initial(p);
  const out: ProjectEdit = {};
  for (const f of fields) {
    if (f === 'env') {
      if (!v.env.trim()) continue;
      const { env, problem } = parseEnvLines(v.env);
      if (problem) return { problem };
      out.env = env;
    } else if (f === 'autoDeploy') {
      if (v.autoDeploy !== from.autoDeploy) out.autoDeploy = v.autoDeploy;
    } else if (f === 'target') {
      if (v.target !== from.target) out.target = v.target === 'swarm' ? 'swarm' : 'host';
    } else if (f === 'replicas') {
      // Replicas go out with Swarm as the target, when they changed or the project moves there.
      if (v.target === 'swarm' && (v.replicas !== from.replicas || v.target !== from.target))
        out.replicas = Number(v.replicas || 1);
    } else if (v[f].trim() !== from[f]) {
      if (f === 'containerPort' || f === 'port') out[f] = Number(v[f]);
      else out[f] = v[f].trim();
    }
  }
  return out;
}

/**
 * What the next deploy uses, editable on the project's page: a project whose deploy failed is fixed here
 * and deployed again. Saving changes nothing that runs; "Save and deploy" saves, then redeploys.
 */
export function ProjectEditForm({ project }: { project: Project }) {
  const qc = useQueryClient();
  const nodes = useQuery(queries.nodes());
  const swarm = nodes.data?.mode === 'swarm' && nodes.data.role === 'manager';
  const fields = fieldsOf(project, swarm);
  const [v, setV] = useState<Values>(() => initial(project));
  const [envProblem, setEnvProblem] = useState<string | null>(null);
  const [touched, setTouched] = useState(false);
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: async ({ body, deploy }: { body: ProjectEdit; deploy: boolean }) => {
      let updated = project;
      if (Object.keys(body).length > 0) {
        updated = await api<Project>(`/api/v1/projects/${project.id}`, { method: 'PATCH', body });
        qc.setQueryData(queries.project(project.id).queryKey, updated);
        setV(initial(updated));
      }
      return deploy
        ? await api<Accepted>(`/api/v1/projects/${project.id}/redeploy`, { method: 'POST' })
        : null;
    },
    onSuccess: (res) => {
      void qc.invalidateQueries({ queryKey: keys.projects });
      if (res) navigate(`/jobs/${res.job.id}`);
      else setSaved(true);
    },
  });
  const errors = splitErrors(save.error, fields, LABELS);
  const set = (k: keyof Values) => (value: string) => {
    setSaved(false);
    setV((o) => ({ ...o, [k]: value }));
  };
  const submit = (deploy: boolean) => (e?: FormEvent) => {
    e?.preventDefault();
    setTouched(true);
    if (fields.includes('subdomain') && subdomainProblem(v.subdomain)) return;
    const body = changes(project, v, fields);
    if ('problem' in body) return setEnvProblem(body.problem);
    setEnvProblem(null);
    save.mutate({ body, deploy });
  };
  const failed = project.status === 'failed' || project.status === 'pending';

  return (
    <form className="form" onSubmit={submit(false)} noValidate aria-label="Project settings">
      <div className="grid-2">
        {fields.includes('image') && (
          <TextField
            label="Image"
            name="image"
            value={v.image}
            spellCheck={false}
            hint="e.g. excalidraw/excalidraw or ghcr.io/org/app:1.2"
            error={errors.fields.image}
            onChange={set('image')}
          />
        )}
        {fields.includes('containerPort') && (
          <NumberField
            label="Container port"
            name="containerPort"
            min={1}
            max={65535}
            value={v.containerPort}
            onChange={set('containerPort')}
            error={errors.fields.containerPort}
          />
        )}
        {fields.includes('port') && (
          <NumberField
            label="Host port"
            name="port"
            min={1}
            max={65535}
            value={v.port}
            onChange={set('port')}
            hint="Published as http://localhost:<port>."
            error={errors.fields.port}
          />
        )}
        {fields.includes('subdomain') && (
          <SubdomainField
            value={v.subdomain}
            onChange={set('subdomain')}
            apiError={errors.fields.subdomain}
            holder={errors.holders.subdomain}
            touched={touched}
          />
        )}
        <TextField
          label="Name"
          name="name"
          value={v.name}
          error={errors.fields.name}
          onChange={set('name')}
        />
        {fields.includes('service') && (
          <TextField
            label="Service to publish"
            name="service"
            value={v.service}
            spellCheck={false}
            hint="The compose service whose port the address reaches."
            error={errors.fields.service}
            onChange={set('service')}
          />
        )}
        {fields.includes('branch') && (
          <TextField
            label="Branch"
            name="branch"
            value={v.branch}
            spellCheck={false}
            error={errors.fields.branch}
            onChange={set('branch')}
          />
        )}
        {fields.includes('env') && (
          <Field
            label="Environment"
            hint={
              project.settings.envNames.length
                ? `Set now: ${project.settings.envNames.join(', ')}. Leave empty to keep them; what you enter replaces them all (one KEY=value per line).`
                : 'One KEY=value per line.'
            }
            error={envProblem ?? errors.fields.env}
          >
            {(p) => (
              <textarea
                {...p}
                name="env"
                rows={3}
                value={v.env}
                spellCheck={false}
                onChange={(e) => set('env')(e.target.value)}
              />
            )}
          </Field>
        )}
        {fields.includes('target') && (
          <Field
            label="Runs on"
            hint={
              v.target !== project.target
                ? `Moves ${v.target === 'swarm' ? 'to the Swarm' : 'to this host'} at the next deploy: the new placement starts first and takes the route once it answers, then the old one goes.`
                : project.target === 'swarm'
                  ? 'Swarm: replicas spread over the nodes.'
                  : 'This host, or the Swarm: replicas spread over the nodes.'
            }
            error={errors.fields.target}
          >
            {(p) => (
              <select {...p} name="target" value={v.target} onChange={(e) => set('target')(e.target.value)}>
                <option value="host">This host</option>
                <option value="swarm" disabled={!swarm && project.target !== 'swarm'}>
                  Swarm
                </option>
              </select>
            )}
          </Field>
        )}
        {fields.includes('replicas') && v.target === 'swarm' && (
          <NumberField
            label="Replicas"
            name="replicas"
            min={1}
            max={100}
            value={v.replicas}
            onChange={set('replicas')}
            error={errors.fields.replicas}
          />
        )}
        {fields.includes('autoDeploy') && (
          <label className="check-label">
            <input
              type="checkbox"
              checked={v.autoDeploy}
              onChange={(e) => {
                setSaved(false);
                setV((o) => ({ ...o, autoDeploy: e.target.checked }));
              }}
            />{' '}
            Deploy on push to the branch
          </label>
        )}
      </div>
      {errors.general.length > 0 && <ErrorView error={save.error} extra={errors.general} labels={LABELS} />}
      <div className="actions">
        <Button type="submit" busy={save.isPending && !save.variables?.deploy}>
          Save
        </Button>
        <Button
          variant="primary"
          busy={save.isPending && save.variables?.deploy}
          onClick={() => submit(true)()}
        >
          {failed ? 'Save and deploy again' : 'Save and redeploy'}
        </Button>
        {saved && (
          <span className="ok-text" role="status">
            Saved — used at the next deploy
          </span>
        )}
      </div>
    </form>
  );
}
