import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api } from '../api/client.js';
import { keys, queries } from '../api/queries.js';
import type { Onboarding, User } from '../api/types.js';
import { DockerCheck, GithubAppCheck, TunnelCheck } from '../components/checks.js';
import { CopyButton } from '../components/copy-button.js';
import { SettingsForm } from '../components/settings-form.js';
import { Button, ErrorView, Loading } from '../components/ui.js';
import { SECTIONS, type SettingField } from '../lib/settings-fields.js';

const pick = (section: string, paths: string[]): SettingField[] =>
  (SECTIONS[section]?.fields ?? []).filter((f) => paths.includes(f.path));

const STEPS = [
  { name: 'domain', title: 'Base domain', fields: pick('domain', ['baseDomain']), check: 'docker' },
  {
    name: 'tunnel',
    title: 'Tunnel',
    fields: pick('tunnel', [
      'tunnel.mode',
      'tunnel.name',
      'tunnel.configPath',
      'tunnel.restart.mode',
      'tunnel.restart.target',
    ]),
    check: 'tunnel',
  },
  {
    name: 'github',
    title: 'GitHub App and OAuth',
    fields: pick('github', [
      'github.oauthClientId',
      'github.oauthClientSecret',
      'github.appId',
      'github.installationId',
      'github.appPrivateKey',
      'github.webhookSecret',
    ]),
    check: 'github',
  },
  { name: 'access', title: 'Who may sign in', fields: SECTIONS.access?.fields ?? [], check: null },
] as const;

/**
 * First-sign-in set-up: one step per area, each saved with PATCH /api/v1/settings, with a live check where the
 * API has one. Finishing or skipping stores completion per user, so the overlay does not come back.
 */
export function OnboardingOverlay({ user, onDone }: { user: User; onDone: () => void }) {
  const qc = useQueryClient();
  const ref = useRef<HTMLDialogElement>(null);
  const [index, setIndex] = useState(0);
  const settings = useQuery(queries.settings());
  // PATCHes go out one after another: the server merges each into the stored state, and two in flight at once
  // could let a stale step update overwrite `completed`.
  const chain = useRef<Promise<unknown>>(Promise.resolve());
  const patch = useMutation({
    mutationFn: (body: Partial<Onboarding>) => {
      const run = chain.current
        .catch(() => {})
        .then(() => api<Onboarding>('/api/v1/onboarding', { method: 'PATCH', body }));
      chain.current = run;
      return run;
    },
    onSuccess: (state) => qc.setQueryData(queries.onboarding().queryKey, state),
  });
  const isAdmin = user.role === 'admin';
  const step = STEPS[index];
  // Which step has been saved: its check then shows the new settings, and "Continue" becomes the one
  // primary button of the step (before that, saving is).
  const [savedStep, setSavedStep] = useState<string | null>(null);
  const saved = step !== undefined && savedStep === step.name;
  const hasCheck = step?.check === 'tunnel' || step?.check === 'github';
  const goTo = (i: number) => {
    setSavedStep(null);
    setIndex(i);
  };

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal?.();
  }, []);

  const finish = () => patch.mutate({ completed: true }, { onSuccess: onDone });
  const next = () => {
    if (step) patch.mutate({ steps: { [step.name]: true } });
    goTo(index + 1);
  };

  return (
    <dialog
      ref={ref}
      className="dialog onboarding"
      aria-labelledby="onb-title"
      onCancel={(e) => e.preventDefault()}
    >
      <header className="card-head">
        <h2 id="onb-title">Set up Warp Panel</h2>
        <Button variant="ghost" busy={patch.isPending && index >= STEPS.length} onClick={finish}>
          Skip set-up
        </Button>
      </header>
      <ol className="stepper" aria-label="Set-up steps">
        {STEPS.map((s, i) => (
          <li
            key={s.name}
            aria-current={i === index ? 'step' : undefined}
            className={i < index ? 'done' : ''}
          >
            {s.title}
          </li>
        ))}
      </ol>
      <ErrorView error={patch.error} />
      {!step ? (
        <div>
          <h3>All set</h3>
          <p>You can change any of this later under Settings, and reopen this guide from there.</p>
          <div className="actions">
            <Button onClick={() => goTo(STEPS.length - 1)}>Back</Button>
            <Button variant="primary" busy={patch.isPending} onClick={finish} autoFocus>
              Finish
            </Button>
          </div>
        </div>
      ) : settings.isPending ? (
        <Loading what="Loading settings" />
      ) : settings.error ? (
        <ErrorView error={settings.error} />
      ) : (
        <div>
          <h3>{step.title}</h3>
          {!isAdmin && <p className="muted">An admin configures these; you can look and continue.</p>}
          {step.name === 'github' && <WebhookHint />}
          <SettingsForm
            key={step.name}
            settings={settings.data}
            fields={[...step.fields]}
            canEdit={isAdmin}
            submitLabel={hasCheck ? (saved ? 'Save again' : 'Save and check') : 'Save and continue'}
            submitVariant={hasCheck && saved ? 'default' : 'primary'}
            onSaved={() => {
              // Every check reads the settings just saved: refresh them all (the tunnel's health too, which
              // lives under its own key), so none keeps showing the state before the save.
              void qc.invalidateQueries({ queryKey: keys.health.all });
              void qc.invalidateQueries({ queryKey: keys.tunnel.all });
              void qc.invalidateQueries({ queryKey: keys.github.all });
              // Steps with a live check stay open after saving so the check shows the new settings.
              if (hasCheck) setSavedStep(step.name);
              else next();
            }}
            extraActions={
              <>
                {index > 0 && <Button onClick={() => goTo(index - 1)}>Back</Button>}
                <Button variant={hasCheck && (saved || !isAdmin) ? 'primary' : 'ghost'} onClick={next}>
                  {hasCheck ? 'Continue' : 'Skip this step'}
                </Button>
              </>
            }
          />
          {step.check === 'docker' && <DockerCheck />}
          {step.check === 'tunnel' && <TunnelCheck />}
          {step.check === 'github' && isAdmin && <GithubAppCheck />}
        </div>
      )}
    </dialog>
  );
}

/** Push to deploy needs GitHub to know where to send pushes: the webhook URL of this panel. */
function WebhookHint() {
  const url = `${window.location.origin}/hooks/github`;
  return (
    <div className="hint-box" data-testid="webhook-hint">
      <strong>Push to deploy:</strong> in the GitHub App's settings, set the webhook URL to <code>{url}</code>{' '}
      <CopyButton text={url} label="Copy webhook URL" /> (content type <code>application/json</code>) with a
      webhook secret, and subscribe to <em>Push</em> events. GitHub then tells the panel about every push, and
      projects that deploy on push redeploy their branch. This address must be reachable from the internet
      (through the tunnel): it is this panel's public URL.
    </div>
  );
}
