/**
 * Real Chromium inside a place's network namespace, trusting the rehearsal's CA the way a managed
 * workstation would: through its NSS database ($HOME/.pki/nssdb, filled with certutil), never with
 * --ignore-certificate-errors. playwright-core launches a two-line wrapper that enters the
 * namespace and execs Debian's Chromium, and drives it over the usual pipe.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_PATH, type E2eBrowser } from '../support/browser.ts';
import { placeNs, type Place } from './network.ts';

/** The flags test/support/browser.ts uses for several people in one machine (fake devices, no throttling). */
const FLAGS = [
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--autoplay-policy=no-user-gesture-required',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

export async function launchBrowserIn(place: Place, workDir: string, caRootPath: string): Promise<E2eBrowser> {
  const home = join(workDir, 'homes', place);
  const nssDb = join(home, '.pki/nssdb');
  mkdirSync(nssDb, { recursive: true, mode: 0o700 });
  execFileSync('certutil', ['-N', '-d', `sql:${nssDb}`, '--empty-password']);
  // "C,,": a CA trusted to issue server certificates (https and TURN over TLS alike).
  execFileSync('certutil', ['-A', '-d', `sql:${nssDb}`, '-n', 'Alcove rehearsal CA', '-t', 'C,,', '-i', caRootPath]);
  const wrapper = join(workDir, `chromium-${place}`);
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${placeNs(place)} ${CHROMIUM_PATH} "$@"\n`);
  chmodSync(wrapper, 0o755);
  const browser = await chromium.launch({
    executablePath: wrapper,
    headless: true,
    args: FLAGS,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home },
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
}
