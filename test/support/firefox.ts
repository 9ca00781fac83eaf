/**
 * Debian's stock Firefox ESR (never a downloaded build) driven by puppeteer-core
 * over WebDriver BiDi, with a fake camera and microphone, for the people who
 * join from Firefox in the end-to-end tests. One browser per person, each with
 * a fresh profile directory that is deleted when the person closes, so no
 * storage, permission or cache carries over from one test file to the next.
 * The page probe is the very script Chromium pages get (browser-page-probe.ts),
 * and it is read by the same in-page functions.
 */
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import {
  PAGE_PROBE_SCRIPT,
  readInboundTotals,
  readNotifications,
  readSoundsPlayed,
  waitForRisingTotals,
  type FlowCheck,
  type InboundTotals,
} from './browser-page-probe.ts';
import { ARTIFACTS_DIR, type SentRequest } from './browser.ts';

export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

const LAUNCH_TIMEOUT_MS = 60_000;
const CLOSE_TIMEOUT_MS = 10_000;

/** What Chromium gets from its command-line flags (browser.ts), as Firefox preferences. */
const FIREFOX_PREFS: Record<string, unknown> = {
  // --use-fake-device-for-media-stream / --use-fake-ui-for-media-stream: a generated picture and tone, no prompt.
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  // The test machines have no sound card (no /proc/asound): without the mock backend Firefox's audio
  // never runs, so even the check-in's microphone meter stays at zero. Harmless where there is one:
  // the tests never listen, they read counters.
  'media.cubeb.force_mock_context': true,
  // --autoplay-policy=no-user-gesture-required: remote voices start without a click.
  'media.autoplay.default': 0,
  // --allow-loopback-in-peer-connection: LiveKit listens on 127.0.0.1 only, and Firefox leaves loopback
  // addresses out of ICE unless told (without it: "ICE failed").
  'media.peerconnection.ice.loopback': true,
  // --disable-features=WebRtcHideLocalIpsWithMdns: host candidates as addresses, not mDNS names
  // (with .local names and a loopback-only server, ICE never even starts checking).
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  // The therapist's arrival notification (Chromium: the context is granted "notifications").
  'permissions.default.desktop-notification': 1,
  // The same language on every machine: the app picks its language from the browser's.
  'intl.accept_languages': 'en-US',
};

export interface FirefoxPerson {
  browser: Browser;
  page: Page;
  /** Every HTTP request this person's browser sent, with its Referer. */
  sent: SentRequest[];
  /** Everything Firefox reported as a page error (see `unexplainedPageErrors`). */
  pageErrors: string[];
  cspViolations(): Promise<string[]>;
  /** Closes Firefox (killing it if it does not close) and deletes its profile directory. */
  close(): Promise<void>;
}

/** Firefox's own report of LiveKit's signalling socket closing uncleanly (a transport event, not an exception). */
const LIVEKIT_SOCKET_INTERRUPTED = /^The connection to wss?:\/\/\S+\/rtc\/v1\?\S* was interrupted while the page was loading\.$/u;
/** What livekit-client 2.23's WebSocketStream throws from its close handler when that socket errored first. */
const LIVEKIT_STREAM_CLOSE_AFTER_ERROR = 'TypeError: ReadableStreamDefaultController.close: Cannot close a stream that has errored.';

/**
 * The page errors nothing explains. Two lines are explained, and only together: when LiveKit drops a
 * participant it was told to remove (send back, removal) while the page is leaving by itself, Firefox
 * may see the signalling socket close uncleanly and reports it as a page error (Chromium reports the
 * same to its console only), and livekit-client then calls `controller.close()` on the stream its
 * error handler already errored, which throws from the socket's close handler (its WebSocketStream,
 * the code of livekit/client-sdk-js#2005 and #2062). Neither comes from Alcove's code, and the page
 * goes on unharmed (docs/client.md, "Known browser quirks"). Each TypeError needs an unclean close
 * reported with it; any other error, or a TypeError without one, stays.
 */
export function unexplainedPageErrors(errors: readonly string[]): string[] {
  let closes = errors.filter((e) => LIVEKIT_SOCKET_INTERRUPTED.test(e)).length;
  const left: string[] = [];
  for (const error of errors) {
    if (LIVEKIT_SOCKET_INTERRUPTED.test(error)) continue;
    if (error === LIVEKIT_STREAM_CLOSE_AFTER_ERROR && closes > 0) {
      closes -= 1;
      continue;
    }
    left.push(error);
  }
  return left;
}

export async function launchFirefoxPerson(): Promise<FirefoxPerson> {
  const profileDir = await mkdtemp(join(tmpdir(), 'alcove-firefox-'));
  let browser: Browser | undefined;
  const close = async () => {
    const child = browser?.process();
    await Promise.race([browser?.close(), new Promise((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS).unref())]).catch(() => undefined);
    // A Firefox that did not close in time is killed: a stray browser would eat the shared cores.
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(profileDir, { recursive: true, force: true, maxRetries: 5 });
  };
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      protocol: 'webDriverBiDi',
      executablePath: FIREFOX_PATH,
      headless: true,
      userDataDir: profileDir,
      extraPrefsFirefox: FIREFOX_PREFS,
      defaultViewport: { width: 1280, height: 800 },
      timeout: LAUNCH_TIMEOUT_MS,
    });
    const page = (await browser.pages())[0] ?? (await browser.newPage());
    await page.evaluateOnNewDocument(PAGE_PROBE_SCRIPT);
    const sent: SentRequest[] = [];
    const pageErrors: string[] = [];
    // Firefox reports a navigation with its #fragment, which never goes on the wire (Chromium reports it without):
    // what is recorded is what the browser sent.
    page.on('request', (request) => sent.push({ url: request.url().split('#')[0]!, referer: request.headers().referer ?? null }));
    page.on('pageerror', (error) => pageErrors.push(error instanceof Error ? error.message : String(error)));
    return {
      browser,
      page,
      sent,
      pageErrors,
      cspViolations: () => page.evaluate(() => ((globalThis as any).__alcoveCspViolations ?? []) as string[]),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Inbound counters of a Firefox page, read by the same in-page function as Chromium's. */
export function firefoxInboundTotals(page: Page): Promise<InboundTotals> {
  return page.evaluate(readInboundTotals);
}

export function waitForRisingMediaInFirefox(page: Page, expect: { videoTracks: number; audioTracks: number }, timeoutMs = 20_000): Promise<FlowCheck> {
  return waitForRisingTotals(() => firefoxInboundTotals(page), expect, timeoutMs);
}

export function firefoxNotificationsShown(page: Page): Promise<string[]> {
  return page.evaluate(readNotifications);
}

export function firefoxSoundsPlayed(page: Page): Promise<number> {
  return page.evaluate(readSoundsPlayed);
}

/** Texts of the page's visible `role="alert"` elements (encryption failure, device problems). */
export function visibleAlerts(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...(globalThis as any).document.querySelectorAll('[role="alert"]')]
      .filter((el: any) => !el.hidden && el.getClientRects().length > 0 && el.textContent.trim() !== '')
      .map((el: any) => el.textContent.trim() as string),
  );
}

/** Resolves when text containing `text` is visible on the page. */
export async function waitForText(page: Page, text: string, timeoutMs = 15_000): Promise<void> {
  await page.locator(`::-p-text(${JSON.stringify(text)})`).setVisibility('visible').setTimeout(timeoutMs).wait();
}

/** A full-page screenshot beside Chromium's (browser.ts), in the git-ignored artifacts folder. */
export async function firefoxScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
