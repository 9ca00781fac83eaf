import { expect } from 'chai';
import type { ElementHandle, Locator, Page } from 'playwright-core';
import { COMMANDS, HTTP_ROUTES } from '@alcove/shared';
import { loginTherapist, type TherapistClient } from '../support/api-client.ts';
import { startE2eStack, type E2eStack } from '../support/browser-stack.ts';
import { newPerson, type Person } from '../support/browser.ts';
import { therapistSignsIn } from '../support/browser-journeys.ts';
import { command, connectClient, newDeviceId, type TypedClientSocket } from '../support/socket-clients.ts';

const STEP_TIMEOUT_MS = 15_000;

/**
 * Presses Tab until `target` itself (that very node) has focus, with a visible focus ring.
 * Focus falling to the page on the way is the defect these tests are about, so it fails at once.
 */
async function tabTo(page: Page, target: Locator, maxTabs = 40): Promise<ElementHandle> {
  const handle = await target.elementHandle({ timeout: STEP_TIMEOUT_MS });
  for (let i = 1; i <= maxTabs; i += 1) {
    await page.keyboard.press('Tab');
    const where = await page.evaluate((el) => {
      const doc = (globalThis as any).document;
      const active = doc.activeElement;
      return {
        isTarget: active === el,
        isPage: active === null || active === doc.body || active === doc.documentElement,
        outline: active ? ((globalThis as any).getComputedStyle(active).outlineStyle as string) : 'none',
      };
    }, handle);
    if (where.isPage) throw new Error(`focus fell to the page after ${i} Tab presses on the way to ${String(target)}`);
    if (where.isTarget) {
      expect(where.outline, `visible focus on ${String(target)}`).to.not.equal('none');
      return handle;
    }
  }
  throw new Error(`could not reach ${String(target)} with the Tab key`);
}

/** True when this node (not a look-alike re-created in its place) has focus. */
function hasFocus(page: Page, handle: ElementHandle): Promise<boolean> {
  return page.evaluate((el) => (globalThis as any).document.activeElement === el, handle);
}

/** The console's polite live region (the page shell's), where status changes are announced. */
function announcements(page: Page): Locator {
  return page.locator('.visually-hidden[aria-live="polite"]');
}

/** One invited person, driven by a real Socket.io client the way the browser app does it. */
class Invitee {
  private socket: TypedClientSocket | null = null;
  private readonly deviceId = newDeviceId();

  constructor(
    private readonly origin: string,
    private readonly secret: string,
    private readonly name: string,
  ) {}

  async checkIn(): Promise<void> {
    this.socket = await connectClient(this.origin, this.secret, this.deviceId);
    const ack = await command(this.socket, COMMANDS.checkIn, { displayName: this.name });
    expect(ack.ok, `${this.name} checks in`).to.equal(true);
  }

  async leave(): Promise<void> {
    const ack = await command(this.socket!, COMMANDS.leave, {});
    expect(ack.ok, `${this.name} leaves`).to.equal(true);
    this.close();
  }

  /** A dropped connection: the console shows them reconnecting, their place kept. */
  drop(): void {
    this.close();
  }

  close(): void {
    this.socket?.close();
    this.socket = null;
  }
}

describe('e2e: console focus during live updates', function () {
  this.timeout(90_000);
  let stack: E2eStack;
  let therapist: Person;
  let api: TherapistClient;
  const invitees: Invitee[] = [];

  before(async function () {
    this.timeout(90_000);
    stack = await startE2eStack();
    therapist = await newPerson(stack.browser, { origin: stack.t.origin });
    api = await loginTherapist(stack.t.origin, stack.therapist.email, stack.therapist.password);
  });
  afterEach(() => {
    for (const invitee of invitees.splice(0)) invitee.close();
  });
  after(async () => {
    await therapist?.close();
    await stack?.close();
  });

  const invite = (secret: string, name: string) => {
    const invitee = new Invitee(stack.t.origin, secret, name);
    invitees.push(invitee);
    return invitee;
  };

  it('keeps a keyboard user on the same session and the same participant control while clients arrive and leave', async () => {
    const couple = await api.createSession('couple');
    const partner1 = invite(couple.secrets[0]!, 'Sam');
    const partner2 = invite(couple.secrets[1]!, 'Robin');
    const [p1, p2] = couple.invites.map((i) => i.participantId);
    const t = therapist.page;
    await therapistSignsIn(t, stack.t.origin, stack.therapist.email, stack.therapist.password);

    // In the session list: every presence update re-counts the waiting badge of this very item.
    const item = t.locator(`.session-item[data-session-id="${couple.session.sessionId}"]`);
    const badge = item.locator('.waiting-badge');
    const listed = await tabTo(t, t.getByRole('button', { name: /Couple/u }));
    const listSteps: [string, () => Promise<unknown>, () => Promise<unknown>][] = [
      ['partner 1 arrives', () => partner1.checkIn(), () => badge.filter({ hasText: '1 waiting' }).waitFor({ timeout: STEP_TIMEOUT_MS })],
      ['partner 2 arrives', () => partner2.checkIn(), () => badge.filter({ hasText: '2 waiting' }).waitFor({ timeout: STEP_TIMEOUT_MS })],
      ['partner 1 leaves', () => partner1.leave(), () => badge.filter({ hasText: '1 waiting' }).waitFor({ timeout: STEP_TIMEOUT_MS })],
      ['partner 2 drops', async () => partner2.drop(), () => badge.waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS })],
    ];
    for (const [what, act, shown] of listSteps) {
      await act();
      await shown();
      expect(await hasFocus(t, listed), `focus still on the session after ${what}`).to.equal(true);
    }

    // In the session panel: the rows of both partners change state around the focused control.
    await t.keyboard.press('Enter');
    await t.locator(`.session-panel[data-session-id="${couple.session.sessionId}"]`).waitFor({ timeout: STEP_TIMEOUT_MS });
    const row = (id: string, state: string) => t.locator(`.participant-row[data-participant-id="${id}"][data-state="${state}"]`);
    await row(p2!, 'reconnecting').waitFor({ timeout: STEP_TIMEOUT_MS });
    const remove = await tabTo(t, t.getByRole('button', { name: /^Remove Partner 2\b/u }));
    const panelSteps: [string, () => Promise<unknown>, Locator][] = [
      ['partner 1 comes back', () => partner1.checkIn(), row(p1!, 'waiting')],
      // Partner 2's own row gains an Admit button beside the focused Remove.
      ['partner 2 comes back', () => partner2.checkIn(), row(p2!, 'waiting')],
      ['partner 1 leaves', () => partner1.leave(), row(p1!, 'left')],
      ['partner 2 drops', async () => partner2.drop(), row(p2!, 'reconnecting')],
    ];
    for (const [what, act, shown] of panelSteps) {
      await act();
      await shown.waitFor({ timeout: STEP_TIMEOUT_MS });
      expect(await hasFocus(t, remove), `focus still on Remove Partner 2 after ${what}`).to.equal(true);
    }
    // The same holds in the invitation links below the rows.
    const reissue = await tabTo(t, t.getByRole('button', { name: 'New link for Partner 1' }));
    await partner1.checkIn();
    await row(p1!, 'waiting').waitFor({ timeout: STEP_TIMEOUT_MS });
    expect(await hasFocus(t, reissue), 'focus still on New link for Partner 1 after partner 1 comes back').to.equal(true);
    expect(therapist.pageErrors).to.deep.equal([]);
  });

  it('moves focus to the neighbouring control and says so when the focused one goes away', async () => {
    const couple = await api.createSession('couple');
    const later = await api.createSession('individual');
    const partner1 = invite(couple.secrets[0]!, 'Sam');
    const [p1] = couple.invites.map((i) => i.participantId);
    const t = therapist.page;
    await t.reload();
    await t.getByRole('heading', { name: 'Sessions', exact: true }).waitFor({ timeout: STEP_TIMEOUT_MS });

    // A row's control goes: admitting with the keyboard takes the Admit button away.
    await partner1.checkIn();
    await t.locator(`.session-item[data-session-id="${couple.session.sessionId}"] .waiting-badge`).filter({ hasText: '1 waiting' }).waitFor({ timeout: STEP_TIMEOUT_MS });
    // Two couple sessions are listed with the same name (this test's and the one before): pick this one by id.
    await tabTo(t, t.locator(`.session-item[data-session-id="${couple.session.sessionId}"]`));
    await t.keyboard.press('Enter');
    await t.locator('.session-panel').waitFor({ timeout: STEP_TIMEOUT_MS });
    await tabTo(t, t.getByRole('button', { name: /^Admit Partner 1\b/u }));
    await t.keyboard.press('Enter');
    await t.locator(`.participant-row[data-participant-id="${p1}"][data-state="admitted"]`).waitFor({ timeout: STEP_TIMEOUT_MS });
    const sendBack = await t.getByRole('button', { name: /^Send back Partner 1\b/u }).elementHandle({ timeout: STEP_TIMEOUT_MS });
    expect(await hasFocus(t, sendBack), 'focus on Send back Partner 1, next in the same row').to.equal(true);
    await announcements(t).filter({ hasText: /Focus moved to Send back Partner 1/u }).waitFor({ timeout: STEP_TIMEOUT_MS });

    // A whole session goes: it ends elsewhere while its item in the list has focus.
    await t.getByRole('button', { name: /Individual/u }).focus();
    expect((await api.call(HTTP_ROUTES.endSession, { params: { sessionId: later.session.sessionId }, body: {} })).status).to.equal(204);
    await t.locator(`.session-item[data-session-id="${later.session.sessionId}"]`).waitFor({ state: 'detached', timeout: STEP_TIMEOUT_MS });
    const neighbour = await t.locator(`.session-item[data-session-id="${couple.session.sessionId}"]`).elementHandle({ timeout: STEP_TIMEOUT_MS });
    expect(await hasFocus(t, neighbour), 'focus on the neighbouring session').to.equal(true);
    await announcements(t).filter({ hasText: /Focus moved to .*Couple/u }).waitFor({ timeout: STEP_TIMEOUT_MS });
    expect(therapist.pageErrors).to.deep.equal([]);
  });
});
