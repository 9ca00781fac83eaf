/**
 * Live updates (arrivals, presence, the session list) patch the console in place
 * and must never take a keyboard or screen-reader user's place: a therapist
 * tabbing through the list while a client arrives stays on the control they
 * were on. Only when that very control is gone (a removed row, an action that
 * no longer applies) does focus move — to the nearest surviving control of the
 * same region, else the region's heading — and the move is announced, so the
 * user learns where they are instead of landing silently on the page.
 */
import type { MessageKey, MessageParams } from '../../i18n/translate.ts';

export interface FocusRegion {
  /** The part of the page whose controls are neighbours of each other. */
  readonly root: HTMLElement;
  /** Where focus goes when the region has no control left. */
  readonly heading: HTMLElement;
}

export type Announce = (key: MessageKey, params?: MessageParams) => void;

const CONTROLS = 'button, input, select, textarea, a[href], [tabindex]:not([tabindex="-1"])';

/** Focusable now: in the page, not hidden by itself or an ancestor, not disabled, laid out. */
function isUsable(el: HTMLElement): boolean {
  return el.isConnected && !el.closest('[hidden]') && !(el as HTMLButtonElement).disabled && el.getClientRects().length > 0;
}

function controlsIn(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(CONTROLS)].filter(isUsable);
}

/** What a screen reader would call the control: its label if it has one, else its text. */
function nameOf(el: HTMLElement): string {
  const labelled = el.getAttribute('aria-label') ?? (el as HTMLInputElement).labels?.[0]?.textContent ?? el.textContent ?? '';
  return labelled.replace(/\s+/gu, ' ').trim();
}

/**
 * Runs `update` (which must patch the DOM, not rebuild it) and keeps focus where it was.
 * `regions` are tried in order; the first that contains the focused element is its region.
 */
export function keepingFocus(regions: readonly FocusRegion[], announce: Announce, update: () => void): void {
  const active = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const region = active ? regions.find((r) => r.root.contains(active)) : undefined;
  if (!active || !region) return update();
  const before = controlsIn(region.root);
  const index = before.indexOf(active);
  update();

  if (isUsable(active)) {
    // Still there; a node that had to move between lists loses focus in the move: give it back.
    if (document.activeElement !== active) active.focus({ preventScroll: true });
    return;
  }
  // Something else in the page took focus on purpose (a dialog, a new screen): leave it there.
  if (document.activeElement !== active && document.activeElement !== document.body && document.activeElement !== null) return;

  // The nearest surviving control before the lost one anchors its place in the new layout:
  // whatever now follows the anchor is where the lost one was (Admit → Send back in the same
  // row, a removed row → the next row); with nothing after it, the anchor itself.
  const after = controlsIn(region.root);
  const anchor = before.slice(0, Math.max(index, 0)).reverse().find((el) => after.includes(el));
  let target = anchor ? (after[after.indexOf(anchor) + 1] ?? anchor) : after[0];
  if (!target) {
    region.heading.tabIndex = -1;
    target = region.heading;
  }
  target.focus({ preventScroll: false });
  announce('console.focusMoved', { target: nameOf(target) });
}
