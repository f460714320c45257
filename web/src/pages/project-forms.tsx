import { useQuery } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { queries } from '../api/queries.js';
import { PlanView } from '../components/compose-plan.js';
import { HostReposTable } from '../components/host-repos-table.js';
import { SubdomainField } from '../components/subdomain-field.js';
import { Button, ErrorView, Field, Loading, NumberField, TextField } from '../components/ui.js';
import { subdomainProblem } from '../lib/dns-label.js';
import { parseEnvLines, useCreate, usePreview } from '../lib/use-create.js';

type Create = ReturnType<typeof useCreate>;
type Preview = ReturnType<typeof usePreview>;

/** Shared frame: submit guard for the subdomain rule, general errors, the submit button. */
function CreateForm({
  create,
  subdomain,
  onSubmit,
  label,
  children,
  blocked,
  preview,
}: {
  create: Create;
  /** Offers "Preview": the plan (service, ports, model) before anything is created. */
  preview?: Preview;
  subdomain: string | null;
  onSubmit: () => Record<string, unknown> | null;
  label: string;
  children: (touched: boolean) => ReactNode;
  blocked?: boolean;
}) {
  const [touched, setTouched] = useState(false);
  const checked = () => {
    setTouched(true);
    if (subdomain !== null && subdomainProblem(subdomain)) return null;
    return onSubmit();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = checked();
    if (body) create.mutate(body);
  };
  return (
    <form className="form" onSubmit={submit} noValidate>
      {children(touched)}
      {create.errors.general.length > 0 && (
        <ErrorView
          error={create.error}
          extra={
            create.error && 'details' in create.error && (create.error.details as unknown[]).length
              ? create.errors.general
              : undefined
          }
        />
      )}
      {preview && <ErrorView error={preview.error} />}
      {preview?.data && <PlanView plan={preview.data.plan} />}
      <div className="actions">
        {preview && (
          <Button
            busy={preview.isPending}
            disabled={blocked}
            onClick={() => {
              const body = checked();
              if (body) preview.mutate(body);
            }}
          >
            Preview
          </Button>
        )}
        <Button type="submit" variant="primary" busy={create.isPending} disabled={blocked}>
          {label}
        </Button>
      </div>
    </form>
  );
}

/** Quick service: an image on a free host port, published at a subdomain. */
export function QuickServiceForm() {
  const create = useCreate('/api/v1/projects/quick-service', [
    'image',
    'subdomain',
    'containerPort',
    'name',
    'env',
    'target',
    'replicas',
  ]);
  const nodes = useQuery(queries.nodes());
  const swarm = nodes.data?.mode === 'swarm' && nodes.data.role === 'manager';
  const [f, setF] = useState({
    image: '',
    subdomain: '',
    containerPort: '80',
    name: '',
    env: '',
    target: 'host',
    replicas: '2',
  });
  const [envProblem, setEnvProblem] = useState<string | null>(null);
  const set = (k: keyof typeof f) => (v: string) => setF((o) => ({ ...o, [k]: v }));
  return (
    <CreateForm
      create={create}
      subdomain={f.subdomain}
      label="Deploy"
      onSubmit={() => {
        const { env, problem } = parseEnvLines(f.env);
        setEnvProblem(problem);
        if (problem) return null;
        return {
          image: f.image.trim(),
          subdomain: f.subdomain,
          containerPort: Number(f.containerPort || 80),
          ...(f.name.trim() ? { name: f.name.trim() } : {}),
          ...(Object.keys(env).length ? { env } : {}),
          ...(f.target === 'swarm' ? { target: 'swarm', replicas: Number(f.replicas || 1) } : {}),
        };
      }}
    >
      {(touched) => (
        <div className="grid-2">
          <Field
            label="Image"
            hint="e.g. excalidraw/excalidraw or ghcr.io/org/app:1.2"
            error={create.errors.fields.image}
          >
            {(p) => (
              <input
                {...p}
                name="image"
                value={f.image}
                autoComplete="off"
                spellCheck={false}
                onChange={(e) => set('image')(e.target.value)}
              />
            )}
          </Field>
          <SubdomainField
            value={f.subdomain}
            onChange={set('subdomain')}
            apiError={create.errors.fields.subdomain}
            holder={create.errors.holders.subdomain}
            touched={touched}
          />
          <NumberField
            label="Container port"
            name="containerPort"
            min={1}
            max={65535}
            value={f.containerPort}
            onChange={set('containerPort')}
            error={create.errors.fields.containerPort}
          />
          <Field
            label="Container name (optional)"
            hint="Inferred from the image when empty."
            error={create.errors.fields.name}
          >
            {(p) => (
              <input
                {...p}
                name="name"
                value={f.name}
                autoComplete="off"
                onChange={(e) => set('name')(e.target.value)}
              />
            )}
          </Field>
          <Field
            label="Runs on"
            hint={swarm ? 'Swarm: replicas spread over the nodes.' : 'The engine is not a Swarm manager.'}
            error={create.errors.fields.target}
          >
            {(p) => (
              <select {...p} name="target" value={f.target} onChange={(e) => set('target')(e.target.value)}>
                <option value="host">This host</option>
                <option value="swarm" disabled={!swarm}>
                  Swarm
                </option>
              </select>
            )}
          </Field>
          {f.target === 'swarm' && (
            <NumberField
              label="Replicas"
              name="replicas"
              min={1}
              max={100}
              value={f.replicas}
              onChange={set('replicas')}
              error={create.errors.fields.replicas}
            />
          )}
          <Field
            label="Environment (optional)"
            hint="One KEY=value per line."
            error={envProblem ?? create.errors.fields.env}
          >
            {(p) => (
              <textarea
                {...p}
                name="env"
                rows={3}
                value={f.env}
                spellCheck={false}
                onChange={(e) => set('env')(e.target.value)}
              />
            )}
          </Field>
        </div>
      )}
    </CreateForm>
  );
}

/** From an allow-listed GitHub template: generate a repo, clone and run it. */
export function TemplateForm() {
  const templates = useQuery(queries.templates());
  const create = useCreate('/api/v1/projects/from-template', [
    'template',
    'name',
    'owner',
    'visibility',
    'includeAllBranches',
    'subdomain',
  ]);
  const preview = usePreview('/api/v1/projects/from-template');
  const [f, setF] = useState({
    template: '',
    name: '',
    owner: '',
    visibility: 'private',
    includeAllBranches: false,
    subdomain: '',
  });
  if (templates.isPending) return <Loading what="Loading templates" />;
  if (templates.error) return <ErrorView error={templates.error} />;
  if (templates.data.items.length === 0)
    return (
      <p className="empty">No templates: add owner/repo entries to the template allowlist in Settings.</p>
    );
  const template = f.template || templates.data.items[0]?.fullName || '';
  return (
    <CreateForm
      create={create}
      preview={preview}
      subdomain={f.subdomain}
      label="Create and deploy"
      onSubmit={() => ({
        template,
        name: f.name.trim(),
        ...(f.owner.trim() ? { owner: f.owner.trim() } : {}),
        visibility: f.visibility,
        includeAllBranches: f.includeAllBranches,
        subdomain: f.subdomain,
      })}
    >
      {(touched) => (
        <div className="grid-2">
          <Field label="Template" error={create.errors.fields.template}>
            {(p) => (
              <select
                {...p}
                name="template"
                value={template}
                onChange={(e) => setF({ ...f, template: e.target.value })}
              >
                {templates.data.items.map((t) => (
                  <option key={t.fullName} value={t.fullName}>
                    {t.fullName}
                    {t.description ? ` — ${t.description}` : ''}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <TextField
            label="New repository name"
            name="name"
            value={f.name}
            error={create.errors.fields.name}
            onChange={(v) => setF({ ...f, name: v })}
          />
          <TextField
            label="Owner (optional)"
            hint="Defaults to the template's owner."
            name="owner"
            value={f.owner}
            error={create.errors.fields.owner}
            onChange={(v) => setF({ ...f, owner: v })}
          />
          <Field label="Visibility" error={create.errors.fields.visibility}>
            {(p) => (
              <select
                {...p}
                name="visibility"
                value={f.visibility}
                onChange={(e) => setF({ ...f, visibility: e.target.value })}
              >
                <option>private</option>
                <option>public</option>
              </select>
            )}
          </Field>
          <label className="check-label">
            <input
              type="checkbox"
              checked={f.includeAllBranches}
              onChange={(e) => setF({ ...f, includeAllBranches: e.target.checked })}
            />{' '}
            Include all branches
          </label>
          <SubdomainField
            value={f.subdomain}
            onChange={(v) => setF({ ...f, subdomain: v })}
            apiError={create.errors.fields.subdomain}
            holder={create.errors.holders.subdomain}
            touched={touched}
          />
        </div>
      )}
    </CreateForm>
  );
}

/** Deploy an existing GitHub repository. */
export function RepoForm() {
  const create = useCreate('/api/v1/projects/deploy-existing', ['repo', 'subdomain', 'name']);
  const preview = usePreview('/api/v1/projects/deploy-existing');
  const [f, setF] = useState({ repo: '', subdomain: '', name: '' });
  return (
    <CreateForm
      create={create}
      preview={preview}
      subdomain={f.subdomain}
      label="Deploy"
      onSubmit={() => ({
        repo: f.repo.trim(),
        subdomain: f.subdomain,
        ...(f.name.trim() ? { name: f.name.trim() } : {}),
      })}
    >
      {(touched) => (
        <div className="grid-2">
          <TextField
            label="Repository"
            hint="owner/name"
            name="repo"
            value={f.repo}
            spellCheck={false}
            error={create.errors.fields.repo}
            onChange={(v) => setF({ ...f, repo: v })}
          />
          <SubdomainField
            value={f.subdomain}
            onChange={(v) => setF({ ...f, subdomain: v })}
            apiError={create.errors.fields.subdomain}
            holder={create.errors.holders.subdomain}
            touched={touched}
          />
          <TextField
            label="Project name (optional)"
            name="name"
            value={f.name}
            error={create.errors.fields.name}
            onChange={(v) => setF({ ...f, name: v })}
          />
        </div>
      )}
    </CreateForm>
  );
}

/** The folder path relative to the repos root, as deploy-existing wants it. */
const relativeTo = (root: string | undefined, p: string, fallback: string): string =>
  root && p.startsWith(`${root.replace(/\/+$/, '')}/`)
    ? p.slice(root.replace(/\/+$/, '').length + 1)
    : p.startsWith('/')
      ? fallback
      : p;

/** Deploy a compose project already on the host, under the repos root. */
export function FolderForm() {
  const repos = useQuery(queries.hostRepos());
  const settings = useQuery(queries.settings());
  const create = useCreate('/api/v1/projects/deploy-existing', ['path', 'subdomain', 'name']);
  const preview = usePreview('/api/v1/projects/deploy-existing');
  const [f, setF] = useState({ path: '', subdomain: '', name: '' });
  if (repos.isPending) return <Loading what="Looking for compose projects" />;
  if (repos.error) return <ErrorView error={repos.error} />;
  const options = repos.data.items.map((r) => ({
    label: `${r.name} (${r.status})`,
    value: relativeTo(settings.data?.reposRoot, r.path, r.name),
  }));
  if (options.length === 0)
    return <p className="empty">No compose projects under {settings.data?.reposRoot ?? 'the repos root'}.</p>;
  const path = f.path || options[0]?.value || '';
  return (
    <CreateForm
      create={create}
      preview={preview}
      subdomain={f.subdomain}
      label="Deploy"
      onSubmit={() => ({ path, subdomain: f.subdomain, ...(f.name.trim() ? { name: f.name.trim() } : {}) })}
    >
      {(touched) => (
        <div className="grid-2">
          <Field label="Folder" error={create.errors.fields.path}>
            {(p) => (
              <select {...p} name="path" value={path} onChange={(e) => setF({ ...f, path: e.target.value })}>
                {options.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <SubdomainField
            value={f.subdomain}
            onChange={(v) => setF({ ...f, subdomain: v })}
            apiError={create.errors.fields.subdomain}
            holder={create.errors.holders.subdomain}
            touched={touched}
          />
          <TextField
            label="Project name (optional)"
            name="name"
            value={f.name}
            error={create.errors.fields.name}
            onChange={(v) => setF({ ...f, name: v })}
          />
        </div>
      )}
    </CreateForm>
  );
}

/** Deploy a host folder, above the table of compose projects already there (stop / restart). */
export function FolderTab() {
  return (
    <>
      <FolderForm />
      <HostReposTable />
    </>
  );
}

/** Publish a service that already listens on a host port (no Docker). */
export function ForwardForm() {
  const create = useCreate('/api/v1/forwards', ['port', 'subdomain', 'name']);
  const [f, setF] = useState({ port: '', subdomain: '', name: '' });
  return (
    <CreateForm
      create={create}
      subdomain={f.subdomain}
      label="Publish"
      onSubmit={() => ({
        port: Number(f.port),
        subdomain: f.subdomain,
        ...(f.name.trim() ? { name: f.name.trim() } : {}),
      })}
    >
      {(touched) => (
        <div className="grid-2">
          <Field
            label="Host port"
            hint="Published as http://localhost:<port>."
            error={create.errors.fields.port}
          >
            {(p) => (
              <input
                {...p}
                name="port"
                type="number"
                inputMode="numeric"
                min={1}
                max={65535}
                value={f.port}
                onChange={(e) => setF({ ...f, port: e.target.value })}
              />
            )}
          </Field>
          <SubdomainField
            value={f.subdomain}
            onChange={(v) => setF({ ...f, subdomain: v })}
            apiError={create.errors.fields.subdomain}
            holder={create.errors.holders.subdomain}
            touched={touched}
          />
          <TextField
            label="Name (optional)"
            name="name"
            value={f.name}
            error={create.errors.fields.name}
            onChange={(v) => setF({ ...f, name: v })}
          />
        </div>
      )}
    </CreateForm>
  );
}
