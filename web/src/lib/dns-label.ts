/** API.md's subdomain rule: one DNS label of lower-case letters, digits and inner hyphens, 1–63 characters. */
export const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Why a subdomain is not one valid DNS label, or null when it is (client-side hint; the API decides). */
export function subdomainProblem(value: string): string | null {
  if (value === '') return 'Enter a subdomain.';
  if (value.length > 63) return 'At most 63 characters.';
  if (value.includes('.')) return 'One label only: no dots (certificates cover one level).';
  if (/[A-Z]/.test(value)) return 'Use lower-case letters.';
  if (/[^a-z0-9-]/.test(value)) return 'Only letters a–z, digits and hyphens.';
  if (value.startsWith('-') || value.endsWith('-')) return 'Cannot start or end with a hyphen.';
  return DNS_LABEL.test(value) ? null : 'Not a valid DNS label.';
}

/** The hostname a subdomain will be published at, for the live preview. */
export const hostnamePreview = (subdomain: string, baseDomain: string | null): string =>
  `${subdomain || '<subdomain>'}.${baseDomain || '<base domain not set>'}`;
