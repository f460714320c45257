import { useEffect } from 'react';
import { Link } from '../lib/router.js';
import { dismissToast, type Toast, useToasts } from '../lib/toasts.js';

/** How long a good or neutral toast stays; a failure stays until closed. */
const LIFETIME_MS = 15_000;

function ToastItem({ toast }: { toast: Toast }) {
  useEffect(() => {
    if (toast.tone === 'bad') return;
    const timer = setTimeout(() => dismissToast(toast.id), LIFETIME_MS);
    return () => clearTimeout(timer);
  }, [toast]);
  return (
    <div className={`toast toast-${toast.tone}`} role={toast.tone === 'bad' ? 'alert' : 'status'}>
      <div className="toast-text">
        <strong>{toast.title}</strong>
        {toast.body && <div className="small">{toast.body}</div>}
        {toast.links && toast.links.length > 0 && (
          <div className="actions">
            {toast.links.map((l) =>
              'to' in l ? (
                <Link key={l.label} to={l.to} onClick={() => dismissToast(toast.id)}>
                  {l.label}
                </Link>
              ) : (
                <a key={l.label} href={l.href} target="_blank" rel="noreferrer noopener">
                  {l.label}
                </a>
              ),
            )}
          </div>
        )}
      </div>
      <button
        type="button"
        className="btn btn-ghost toast-close"
        aria-label={`Dismiss: ${toast.title}`}
        onClick={() => dismissToast(toast.id)}
      >
        ×
      </button>
    </div>
  );
}

/** The corner where toasts appear (one polite live region, so screen readers hear them too). */
export function Toasts() {
  const toasts = useToasts();
  return (
    <section className="toasts" aria-label="Notifications">
      {toasts.map((t) => (
        <ToastItem key={t.id} toast={t} />
      ))}
    </section>
  );
}
