import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const VERSION = 'v1';

/** Encrypts secrets at rest with AES-256-GCM; the envelope is `v1:<iv>:<tag>:<ciphertext>` (base64). */
export interface SecretBox {
  encrypt(plain: string): string;
  decrypt(envelope: string): string;
}

/** Build a box from a 32-byte key. */
export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('secret key must be 32 bytes');
  return {
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, iv.toString('base64'), tag.toString('base64'), data.toString('base64')].join(':');
    },
    decrypt(envelope) {
      const [version, iv, tag, data] = envelope.split(':');
      if (version !== VERSION || !iv || !tag || data === undefined)
        throw new Error('unreadable secret envelope');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
    },
  };
}

/** Name of the generated key file inside the data dir. */
export const KEY_FILE_NAME = 'secret.key';

/**
 * The key from `WARP_SECRET_KEY` (hex or base64), else the data dir's key file, created with mode 0600
 * on first use. A key file with looser permissions is tightened.
 */
export function loadSecretKey(configured: string | null, dataDir: string): Buffer {
  if (configured) return Buffer.from(configured, /^[0-9a-fA-F]{64}$/.test(configured) ? 'hex' : 'base64');
  const file = path.join(dataDir, KEY_FILE_NAME);
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
}
