import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import {
  assertRegistryAllowed,
  canonicalRegistryHost,
  isRegistryAllowed,
  privateRegistryReason,
  splitRegistryHost,
} from './registry-host.js';

/** The error `assertRegistryAllowed` throws, or null. */
function refusal(image: string, allowed: string[] = []): AppError | null {
  try {
    assertRegistryAllowed(image, allowed);
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
}

describe('registry hosts', () => {
  it('spell Docker Hub one way and keep ports and IPv6 brackets apart', () => {
    expect(canonicalRegistryHost('Registry-1.Docker.IO')).toBe('docker.io');
    expect(canonicalRegistryHost('https://index.docker.io/v1/')).toBe('docker.io');
    expect(canonicalRegistryHost('GHCR.io')).toBe('ghcr.io');
    expect(splitRegistryHost('127.0.0.1:5000')).toEqual({ name: '127.0.0.1', port: '5000' });
    expect(splitRegistryHost('[::1]:5000')).toEqual({ name: '::1', port: '5000' });
    expect(splitRegistryHost('[fe80::1]')).toEqual({ name: 'fe80::1', port: null });
    expect(splitRegistryHost('ghcr.io')).toEqual({ name: 'ghcr.io', port: null });
  });

  it('name loopback, private, link-local and local names, and let public registries through', () => {
    const cases: Record<string, string | null> = {
      'docker.io': null,
      'index.docker.io': null,
      'ghcr.io': null,
      'quay.io:443': null,
      'registry.example.com:5000': null,
      '8.8.8.8:5000': null,
      '172.32.0.1': null,
      '100.128.0.1': null,
      '[2001:db8::1]:5000': null,
      '127.0.0.1:5000': 'a loopback address',
      '127.255.0.9': 'a loopback address',
      localhost: 'a loopback name',
      'localhost:5000': 'a loopback name',
      'app.localhost': 'a local-network name',
      'nas.local:5000': 'a local-network name',
      'registry.home.arpa': 'a local-network name',
      'hub.internal': 'a local-network name',
      '[::1]:5000': 'a loopback address',
      '[::]:5000': 'an unspecified address',
      '[::ffff:7f00:1]:5000': 'a loopback address',
      '[fc00::5]': 'a unique local address',
      '[fdab::1]:5000': 'a unique local address',
      '[fe80::1]:5000': 'a link-local address',
      '[febf::1]': 'a link-local address',
      '10.1.2.3:5000': 'a private address',
      '172.16.0.1': 'a private address',
      '172.31.255.255': 'a private address',
      '192.168.1.10:5000': 'a private address',
      '169.254.169.254': 'a link-local address',
      '0.0.0.0:5000': 'an unspecified ("this network") address',
      '100.64.0.1': 'a shared (carrier-grade NAT) address',
      // Shorthand and numeric spellings the resolver reads as 127.0.0.1.
      '127.1:5000': 'a loopback address',
      '0x7f.1': 'a loopback address',
      '2130706433:5000': 'a loopback address',
      '0177.0.0.1': 'a loopback address',
      '999.1.1.1': 'an unparsable numeric address',
      'registry:5000': 'a single-label name',
      nas: 'a single-label name',
    };
    for (const [host, want] of Object.entries(cases)) expect(privateRegistryReason(host), host).toBe(want);
  });

  it('match allowed entries by host, and by port when the entry names one', () => {
    expect(isRegistryAllowed('127.0.0.1:5000', ['127.0.0.1'])).toBe(true);
    expect(isRegistryAllowed('127.0.0.1:5000', ['127.0.0.1:5000'])).toBe(true);
    expect(isRegistryAllowed('127.0.0.1:5001', ['127.0.0.1:5000'])).toBe(false);
    expect(isRegistryAllowed('127.0.0.1', ['127.0.0.1:5000'])).toBe(false);
    expect(isRegistryAllowed('Registry:5000', ['registry'])).toBe(true);
    expect(isRegistryAllowed('[::1]:5000', ['[::1]'])).toBe(true);
    expect(isRegistryAllowed('127.0.0.2:5000', ['127.0.0.1'])).toBe(false);
  });

  it('refuse an image from a private registry with a message naming the image and the setting', () => {
    const err = refusal('127.0.0.1:5000/warp/app:v1');
    expect(err?.code).toBe('VALIDATION_FAILED');
    expect(err?.message).toBe(
      'image 127.0.0.1:5000/warp/app:v1 comes from registry 127.0.0.1:5000, a loopback address; images from loopback, link-local and private registries are refused unless an admin allows the registry in settings (allowedRegistries)',
    );
    expect(err?.details).toEqual([{ path: 'image', message: err?.message }]);
    expect(refusal('127.0.0.1:5000/warp/app:v1', ['127.0.0.1:5000'])).toBeNull();
    expect(refusal('localhost/app')?.message).toContain('a loopback name');
    expect(refusal('[fe80::1]:5000/app@sha256:'.concat('a'.repeat(64)))?.message).toContain('link-local');
  });

  it('let Docker Hub and public registries through however they are spelled', () => {
    for (const image of [
      'nginx',
      'library/redis:7',
      'docker.io/library/redis',
      'index.docker.io/x/y',
      'ghcr.io/org/app:1.2',
      'registry.example.com:5000/a',
    ])
      expect(refusal(image), image).toBeNull();
  });

  it('leave invalid references to the parser', () => {
    expect(refusal('nginx:-bad')?.details?.[0]?.path).toBe('image');
    expect(refusal('$(reboot)')?.message).toContain('invalid reference format');
  });
});
