import { useQuery } from '@tanstack/react-query';
import { queries } from '../api/queries.js';
import { hostnamePreview, subdomainProblem } from '../lib/dns-label.js';
import { Link } from '../lib/router.js';
import { Field } from './ui.js';

/** The subdomain input with a live `<sub>.<baseDomain>` preview and the DNS-label rule checked as you type. */
export function SubdomainField({
  value,
  onChange,
  apiError,
  holder,
  touched,
}: {
  value: string;
  onChange: (v: string) => void;
  apiError?: string | undefined;
  /** The project that holds this subdomain (a 409's details), linked from the error. */
  holder?: string | undefined;
  touched: boolean;
}) {
  const settings = useQuery(queries.settings());
  const base = settings.data?.baseDomain ?? null;
  const local = touched || value !== '' ? subdomainProblem(value) : null;
  return (
    <Field
      label="Subdomain"
      error={
        apiError ? (
          <>
            {apiError}
            {holder && (
              <>
                {' — '}
                <Link to={`/projects/${holder}`}>open it</Link>
              </>
            )}
          </>
        ) : (
          (local ?? undefined)
        )
      }
      hint={
        <>
          Published at <output data-testid="hostname-preview">{hostnamePreview(value, base)}</output>
          {settings.data && !base && <> — set the base domain in Settings first.</>}
        </>
      }
    >
      {(p) => (
        <input
          {...p}
          name="subdomain"
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          maxLength={63}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}
