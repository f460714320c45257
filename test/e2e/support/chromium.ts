import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (playwright-core ships no browser). */
export const CHROMIUM_PATH = process.env.WARP_CHROMIUM_PATH ?? '/usr/bin/chromium';
/** When set (CI), a missing Chromium fails the e2e suite instead of skipping it. */
export const CHROMIUM_REQUIRED = process.env.WARP_REQUIRE_CHROMIUM === '1';

/** Flags for a quiet, offline, headless run; no --user-data-dir (Playwright manages a temp profile). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Whether the e2e suite can run here; throws when Chromium is required but missing. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (CHROMIUM_REQUIRED)
    throw new Error(`Chromium is required (WARP_REQUIRE_CHROMIUM=1) but missing at ${CHROMIUM_PATH}`);
  return false;
}

/** Launch headless Chromium. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
}
