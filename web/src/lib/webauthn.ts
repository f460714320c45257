import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import { api } from '../api/client.js';
import type { Passkey, User } from '../api/types.js';

// The WebAuthn ceremonies against the panel's /auth/passkeys/* routes. @simplewebauthn/browser is loaded only
// when a ceremony starts, so the first page load does not carry it.

/** Whether this browser can use passkeys at all (an old browser, or a page not on https/localhost, cannot). */
export const webauthnAvailable = (): boolean =>
  typeof window !== 'undefined' && typeof window.PublicKeyCredential === 'function';

/** The browser's refusal in words (canceled prompt, an authenticator that already has one, …). */
export function ceremonyProblem(error: unknown): string | null {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'NotAllowedError' || name === 'AbortError') {
    return 'The passkey prompt was closed or timed out. Try again.';
  }
  if (name === 'InvalidStateError') return 'This authenticator already holds a passkey for this panel.';
  if (name === 'SecurityError') {
    return "The browser refused: passkeys work only on the panel's own address (https, or localhost).";
  }
  if (name === 'NotSupportedError') return 'This browser or authenticator does not support passkeys.';
  return null;
}

/** Register a passkey for the signed-in local admin (the browser asks for the authenticator). */
export async function registerPasskey(name: string): Promise<Passkey> {
  const { startRegistration } = await import('@simplewebauthn/browser');
  const options = await api<PublicKeyCredentialCreationOptionsJSON>('/auth/passkeys/register/options', {
    method: 'POST',
  });
  const response = await startRegistration({ optionsJSON: options });
  const res = await api<{ passkey: Passkey }>('/auth/passkeys/register', {
    method: 'POST',
    body: { ...(name.trim() ? { name: name.trim() } : {}), response },
  });
  return res.passkey;
}

/** Sign in with a passkey: a challenge, the browser's assertion, then the session cookie. */
export async function signInWithPasskey(): Promise<User> {
  const { startAuthentication } = await import('@simplewebauthn/browser');
  const start = await api<{ challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }>(
    '/auth/passkeys/login/options',
    { method: 'POST' },
  );
  const response = await startAuthentication({ optionsJSON: start.options });
  const res = await api<{ user: User }>('/auth/passkeys/login', {
    method: 'POST',
    body: { challengeId: start.challengeId, response },
  });
  return res.user;
}
