/**
 * `idna.Lookup.ToASCII` of golang.org/x/net/idna, as cloudflared uses it to give a rule hostname
 * its punycode twin: UTS #46 mapping (which lowercases), non-transitional, STD3 rules (letters,
 * digits and hyphens only, so `*` and `_` are errors), hyphen checks. The mapping and punycode come
 * from the platform's WHATWG URL host parser; Go's Bidi and ContextJ checks are not modelled.
 */

const isAscii = (s: string): boolean => [...s].every((c) => c.charCodeAt(0) < 0x80);

/** Go's `checkHyphens`: no `-` at either end of a label, no `--` in positions 3–4 (bar `xn--`). */
function hyphensOk(label: string): boolean {
  if (label === '') return true;
  if (label.startsWith('-') || label.endsWith('-')) return false;
  return !(label.length > 4 && label.slice(2, 4) === '--' && !label.startsWith('xn--'));
}

/** The ASCII form Go's lookup profile gives `host`, or null where Go reports an error. */
export function idnaLookupToAscii(host: string): string | null {
  if (isAscii(host)) {
    // STD3: every ASCII character but letters, digits, hyphen and the label dot is disallowed.
    if (!/^[A-Za-z0-9.-]*$/.test(host)) return null;
    const lower = host.toLowerCase();
    for (const label of lower.split('.')) {
      if (!hyphensOk(label)) return null;
      if (label.startsWith('xn--') && wholeHostAscii(label) === null) return null;
    }
    return lower;
  }
  // Anything ASCII other than letters, digits, hyphen and dot is an STD3 error whatever surrounds it.
  if ([...host].some((c) => c.charCodeAt(0) < 0x80 && !/[A-Za-z0-9.-]/.test(c))) return null;
  for (const label of host.toLowerCase().split('.')) if (!hyphensOk(label)) return null;
  const ascii = wholeHostAscii(host);
  if (ascii === null) return null;
  for (const label of ascii.split('.')) {
    if (!/^[a-z0-9-]*$/.test(label) || !hyphensOk(label)) return null;
  }
  return ascii;
}

/** UTS #46 ToASCII through the URL host parser; a trailing label keeps it off the IPv4 path. */
function wholeHostAscii(host: string): string | null {
  try {
    const hostname = new URL(`http://${host}.a/`).hostname;
    return hostname.endsWith('.a') ? hostname.slice(0, -2) : null;
  } catch {
    return null;
  }
}
