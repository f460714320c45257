import { type ButtonHTMLAttributes, type ReactNode, useId } from 'react';
import { ApiError, isMissingRoute } from '../api/client.js';
import { humanMessage, labelOfPath, namePaths, normalisePath } from '../lib/form-errors.js';
import { Link } from '../lib/router.js';

/** An inline spinner; announced to screen readers as busy via the parent's aria-busy. */
export const Spinner = ({ label }: { label?: string }) =>
  label ? (
    <span className="spinner" role="status" aria-label={label} />
  ) : (
    <span className="spinner" aria-hidden="true" />
  );

/** A button that shows progress and blocks repeat clicks while its action runs. */
export function Button({
  busy = false,
  variant = 'default',
  children,
  disabled,
  type = 'button',
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & {
  busy?: boolean;
  variant?: 'default' | 'primary' | 'danger' | 'ghost';
}) {
  return (
    <button
      type={type}
      className={`btn btn-${variant}`}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      {...rest}
    >
      {busy && <Spinner />}
      {children}
    </button>
  );
}

/** A labelled form field with hint and error wired up through aria attributes. */
export function Field({
  label,
  hint,
  error,
  children,
}: {
  label: string;
  hint?: ReactNode;
  error?: ReactNode | undefined;
  children: (props: { id: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string }) => ReactNode;
}) {
  const id = useId();
  const described = [hint ? `${id}-hint` : '', error ? `${id}-err` : ''].filter(Boolean).join(' ');
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        ...(error ? { 'aria-invalid': true } : {}),
        ...(described ? { 'aria-describedby': described } : {}),
      })}
      {hint && (
        <div className="hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
      {error && (
        <div className="field-error" id={`${id}-err`} role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

/** A labelled one-line text input (the common case of `Field`). */
export function TextField({
  label,
  hint,
  error,
  name,
  value,
  onChange,
  spellCheck,
}: {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  name: string;
  value: string;
  onChange: (value: string) => void;
  spellCheck?: boolean;
}) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(p) => (
        <input
          {...p}
          name={name}
          value={value}
          autoComplete="off"
          {...(spellCheck === false ? { spellCheck: false } : {})}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

/** A labelled whole-number input (ports, replicas): numeric keypad on phones, bounds for the browser. */
export function NumberField({
  label,
  name,
  value,
  onChange,
  min,
  max,
  hint,
  error,
}: {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  min: number;
  max: number;
  hint?: ReactNode;
  error?: ReactNode | undefined;
}) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(p) => (
        <input
          {...p}
          name={name}
          type="number"
          inputMode="numeric"
          min={min}
          max={max}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

/** Friendly words for the API's error codes. */
function titleOf(error: ApiError): string {
  if (isMissingRoute(error)) return 'Not available on this server yet';
  switch (error.code) {
    case 'UNAUTHENTICATED':
      return 'Please sign in again';
    case 'FORBIDDEN':
      return 'Not allowed';
    case 'CSRF_FAILED':
      return 'Request refused';
    case 'NOT_FOUND':
      return 'Not found';
    case 'CONFLICT':
      return 'Conflict';
    case 'PRECONDITION_FAILED':
      return 'Set-up needed';
    case 'UPSTREAM_ERROR':
      return 'An upstream service failed';
    case 'RATE_LIMITED':
      return 'Too many requests';
    case 'VALIDATION_FAILED':
      return 'Please check the form';
    case 'NETWORK':
      return 'Connection problem';
    default:
      return 'Something went wrong';
  }
}

/**
 * Shows any error (API or other) as a readable alert, with the request id for support. A validation error
 * lists every cause by the field's name for people (`labels`), not the server's one-line summary.
 */
export function ErrorView({
  error,
  extra,
  labels,
}: {
  error: unknown;
  extra?: string[];
  labels?: Record<string, string>;
}) {
  if (!error && !extra?.length) return null;
  const api = error instanceof ApiError ? error : null;
  const causes =
    !extra && api?.details.length
      ? api.details.map((d) => {
          const label = labelOfPath(normalisePath(d.path), labels);
          const m = humanMessage(d.message);
          return label ? `${label}${/^[a-z]/.test(m) ? ' ' : ': '}${m}` : m;
        })
      : undefined;
  const list = extra ?? causes;
  const message =
    list && list.length > 0 && api?.code === 'VALIDATION_FAILED'
      ? null
      : api
        ? namePaths(humanMessage(api.message), labels)
        : error instanceof Error
          ? error.message
          : error
            ? String(error)
            : null;
  return (
    <div className="alert alert-error" role="alert">
      <strong>{api ? titleOf(api) : 'Error'}</strong>
      {message && <div>{message}</div>}
      {list && list.length > 0 && (
        <ul>
          {list.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
      {api?.code === 'PRECONDITION_FAILED' && (
        <div>
          <Link to="/settings">Open Settings</Link>
        </div>
      )}
      {api?.requestId && <div className="muted small">Request id {api.requestId}</div>}
    </div>
  );
}

/** A loading placeholder for a panel. */
export const Loading = ({ what = 'Loading' }: { what?: string }) => (
  <div className="loading" aria-busy="true">
    <Spinner /> {what}…
  </div>
);

const STATUS_TONE: Record<string, string> = {
  running: 'ok',
  live: 'ok',
  succeeded: 'ok',
  enabled: 'ok',
  delivered: 'ok',
  disabled: 'idle',
  deployed: 'ok',
  ok: 'ok',
  valid: 'ok',
  deploying: 'busy',
  queued: 'busy',
  pending: 'busy',
  restarting: 'busy',
  created: 'idle',
  stopped: 'idle',
  exited: 'idle',
  paused: 'idle',
  canceled: 'idle',
  removed: 'idle',
  ignored: 'idle',
  unconfigured: 'idle',
  degraded: 'warn',
  interrupted: 'warn',
  missing: 'bad',
  failed: 'bad',
  dead: 'bad',
  down: 'bad',
  error: 'bad',
  invalid: 'bad',
  rejected: 'bad',
};

/** A coloured status pill (colour plus text, never colour alone); `reason` says why, on hover. */
export const Badge = ({ status, reason }: { status: string; reason?: string | null | undefined }) => (
  <span
    className={`badge badge-${STATUS_TONE[status] ?? 'idle'}`}
    title={reason ?? undefined}
    data-status={status}
  >
    {status}
  </span>
);

/** A titled card section. */
export const Card = ({
  title,
  actions,
  children,
}: {
  title: string;
  actions?: ReactNode;
  children: ReactNode;
}) => (
  <section className="card" aria-label={title}>
    <header className="card-head">
      <h2>{title}</h2>
      {actions}
    </header>
    {children}
  </section>
);

/** An empty-list message. */
export const Empty = ({ children }: { children: ReactNode }) => <p className="empty">{children}</p>;
