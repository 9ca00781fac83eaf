/**
 * The privacy screen: one click (or Escape) turns the camera and microphone
 * off, silences the others and covers the page with something neutral. It is a
 * modal dialog, so it sits above everything and keeps keyboard focus; Escape
 * does not close it — returning is a deliberate click.
 */
import { h } from '../common/dom-builder.ts';

export interface PrivacyScreen {
  readonly root: HTMLDialogElement;
  open(): void;
  isOpen(): boolean;
  destroy(): void;
}

export function createPrivacyScreen(apply: (on: boolean) => Promise<void>): PrivacyScreen {
  const resume = h('button', { class: 'button primary', msg: 'privacy.resume', attrs: { type: 'button' } });
  const root = h(
    'dialog',
    { class: 'privacy-screen', attrs: { 'aria-labelledby': 'privacy-title' } },
    h('div', { class: 'privacy-content' }, h('h2', { id: 'privacy-title', msg: 'privacy.title' }), h('p', { msg: 'privacy.body' }), resume),
  );
  root.addEventListener('cancel', (event) => event.preventDefault());
  resume.addEventListener('click', () => {
    root.close();
    void apply(false);
  });

  return {
    root,
    open() {
      if (root.open) return;
      root.showModal();
      resume.focus();
      void apply(true);
    },
    isOpen: () => root.open,
    destroy() {
      if (root.open) root.close();
    },
  };
}
