/**
 * Real Chromium (Debian's, never a downloaded build) driven by playwright-core,
 * with fake camera and microphone. Each person gets their own browser context
 * (own storage, cookies and permissions), as people in different places would.
 * Every request, WebSocket and CSP violation a page makes is recorded so tests
 * can assert what the browser really sent.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { installPageProbe } from './browser-page-probe.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS_DIR = new URL('../../artifacts/screens/', import.meta.url).pathname;

const CHROMIUM_FLAGS = [
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
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

export interface E2eBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * By default a fake camera and microphone, and permission prompts answered "allow".
 * `fakeDevices: false` leaves the machine's real devices (here: none); `autoAllow: false`
 * leaves real prompts, which headless Chromium refuses unless the context granted them.
 */
export async function launchBrowser(options: { fakeDevices?: boolean; autoAllow?: boolean } = {}): Promise<E2eBrowser> {
  const args = CHROMIUM_FLAGS.filter(
    (flag) =>
      !(options.fakeDevices === false && flag === '--use-fake-device-for-media-stream') &&
      !(options.autoAllow === false && flag === '--use-fake-ui-for-media-stream'),
  );
  // playwright gives the browser a fresh, short-lived profile directory of its own.
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
}

export interface SentRequest {
  url: string;
  referer: string | null;
}

export interface Person {
  context: BrowserContext;
  page: Page;
  /** Every HTTP request and WebSocket URL this person's browser sent, with its Referer. */
  sent: SentRequest[];
  /** Content-Security-Policy violations reported by the page. */
  cspViolations(): Promise<string[]>;
  pageErrors: string[];
  /** The page's last console lines (livekit-client's included), oldest first: what a failed wait prints. */
  consoleTail(count?: number): string[];
  close(): Promise<void>;
}

/** How many console lines a person keeps: enough to show the last few joins, bounded for long tests. */
const CONSOLE_LINES_KEPT = 300;

export interface PersonOptions {
  origin: string;
  locale?: string;
  viewport?: { width: number; height: number };
  /** Grant desktop notifications (the therapist). */
  notifications?: boolean;
  /** Grant camera and microphone (default true). */
  media?: boolean;
}

export async function newPerson(e2e: E2eBrowser, options: PersonOptions): Promise<Person> {
  const locale = options.locale ?? 'en-US';
  const context = await e2e.browser.newContext({
    locale,
    viewport: options.viewport ?? { width: 1280, height: 800 },
    extraHTTPHeaders: { 'accept-language': locale },
  });
  const permissions = [...(options.media === false ? [] : ['camera', 'microphone']), ...(options.notifications ? ['notifications'] : [])];
  if (permissions.length > 0) await context.grantPermissions(permissions, { origin: options.origin });
  await installPageProbe(context);
  const page = await context.newPage();
  const sent: SentRequest[] = [];
  const pageErrors: string[] = [];
  page.on('request', (request) => sent.push({ url: request.url(), referer: request.headers().referer ?? null }));
  page.on('websocket', (ws) => sent.push({ url: ws.url(), referer: null }));
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const consoleLines: string[] = [];
  page.on('console', (message) => {
    consoleLines.push(`${new Date().toISOString().slice(11, 23)} ${message.type()} ${message.text().slice(0, 300)}`);
    if (consoleLines.length > CONSOLE_LINES_KEPT) consoleLines.shift();
  });
  return {
    context,
    page,
    sent,
    pageErrors,
    consoleTail: (count = 25) => consoleLines.slice(-count),
    cspViolations: () => page.evaluate(() => ((globalThis as any).__alcoveCspViolations ?? []) as string[]),
    close: () => context.close().catch(() => undefined),
  };
}

/** A full-page screenshot in the git-ignored artifacts folder, numbered in the order taken. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled', caret: 'hide' });
  return path;
}
