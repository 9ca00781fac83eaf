/**
 * The therapist's sealing key in the console: set up once (the key is made with its backup, under
 * a passphrase the therapist chooses, because a non-extractable key can be backed up only as it is
 * made), shown by fingerprint, backed up as a file, and imported from that file on another browser.
 * The private key stays in this browser's IndexedDB; the server gets the public key only.
 */
import {
  EnvelopeError,
  SEALING_PASSPHRASE_MIN_CHARS,
  createSealingKey,
  isSamePublicKey,
  parseSealingBackup,
  restoreSealingKey,
  sealingKeyFingerprint,
  supportedCurves,
  type CallKeyPair,
  type PublicKeyTag,
} from '@alcove/shared';
import { therapistApi } from '../../api/therapist-api.ts';
import { bindText } from '../../i18n/bind.ts';
import type { MessageKey } from '../../i18n/translate.ts';
import { downloadFile, loadSealingKey, saveSealingKey, type HeldSealingKey } from '../../sealed/sealing-key-vault.ts';
import { h } from '../common/dom-builder.ts';

export interface SealingKeyPanel {
  readonly root: HTMLElement;
  /** The pair that opens notes and answers, once this browser holds the account's key. */
  pair(): CallKeyPair | null;
  /** Whether clients can seal to the account (the server has a sealing public key). */
  isSetUp(): boolean;
  onChange(listener: () => void): void;
}

const BACKUP_FILE = 'alcove-sealing-key-backup.json';

function passphraseField(id: string, label: MessageKey) {
  const input = h('input', { id, attrs: { type: 'password', autocomplete: 'new-password', required: true, maxlength: 256 } });
  return { input, field: h('div', { class: 'field' }, h('label', { msg: label, attrs: { for: id } }), input) };
}

export function createSealingKeyPanel(therapistId: string): SealingKeyPanel {
  let held: HeldSealingKey | null = null;
  let serverKey: PublicKeyTag | null = null;
  const listeners = new Set<() => void>();
  const body = h('div', { class: 'sealing-body' });
  const root = h('section', { class: 'panel sealing-panel', attrs: { 'aria-labelledby': 'sealing-title', 'aria-busy': 'true' } }, h('h2', { id: 'sealing-title', msg: 'sealing.title' }), body);
  const changed = () => listeners.forEach((listener) => listener());

  async function adopt(next: HeldSealingKey, upload: boolean) {
    await saveSealingKey(therapistId, next);
    if (upload) serverKey = (await therapistApi.setSealingKey(next.pair.publicKey)).sealingKey?.publicKey ?? null;
    held = next;
    render();
    changed();
  }

  function errorLine() {
    return h('p', { class: 'form-error', attrs: { role: 'alert' } });
  }

  function setupForm(replacing: boolean): HTMLElement {
    const pass = passphraseField('sealing-pass', 'sealing.passphrase');
    const again = passphraseField('sealing-pass-again', 'sealing.passphraseRepeat');
    const error = errorLine();
    const submit = h('button', { class: 'button primary', msg: 'sealing.create', attrs: { type: 'submit' } });
    const form = h('form', { class: 'sealing-setup' }, pass.field, again.field, h('p', { class: 'hint', msg: replacing ? 'sealing.replaceHint' : 'sealing.passphraseHint' }), error, submit);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (pass.input.value.length < SEALING_PASSPHRASE_MIN_CHARS) return bindText(error, 'sealing.tooShort');
      if (pass.input.value !== again.input.value) return bindText(error, 'sealing.mismatch');
      submit.disabled = true;
      bindText(error, 'sealing.creating');
      try {
        const made = await createSealingKey((await supportedCurves())[0] ?? 'P-256', pass.input.value, Date.now());
        await adopt(made, true);
      } catch {
        bindText(error, 'sealing.failed');
        submit.disabled = false;
      }
    });
    return form;
  }

  function importForm(): HTMLElement {
    const file = h('input', { id: 'sealing-file', attrs: { type: 'file', accept: '.json,application/json', required: true } });
    const pass = passphraseField('sealing-import-pass', 'sealing.passphrase');
    pass.input.setAttribute('autocomplete', 'current-password');
    const error = errorLine();
    const submit = h('button', { class: 'button primary', msg: 'sealing.import', attrs: { type: 'submit' } });
    const form = h('form', { class: 'sealing-import' }, h('div', { class: 'field' }, h('label', { msg: 'sealing.file', attrs: { for: 'sealing-file' } }), file), pass.field, error, submit);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const chosen = file.files?.[0];
      if (!chosen) return;
      submit.disabled = true;
      bindText(error, 'sealing.importing');
      try {
        const backup = parseSealingBackup(JSON.parse(await chosen.text()));
        const pair = await restoreSealingKey(backup, pass.input.value);
        // The account's key comes back as it is; any other is this browser's choice to upload.
        await adopt({ pair, backup }, !serverKey || !isSamePublicKey(serverKey, pair.publicKey));
      } catch (error_) {
        bindText(error, error_ instanceof EnvelopeError && error_.what === 'sealing-backup' && error_.reason === 'wrong-passphrase' ? 'sealing.wrongPassphrase' : (error_ instanceof EnvelopeError && error_.what === 'sealing-backup') || error_ instanceof SyntaxError ? 'sealing.badFile' : 'sealing.failed');
        submit.disabled = false;
      }
    });
    return form;
  }

  function readyView(current: HeldSealingKey): HTMLElement[] {
    const fingerprint = h('p', { class: 'sealing-fingerprint' });
    void sealingKeyFingerprint(current.pair.publicKey).then((value) => bindText(fingerprint, 'sealing.fingerprint', { fingerprint: value }));
    const download = h('button', { class: 'button', msg: 'sealing.download', attrs: { type: 'button', 'data-action': 'download-key-backup' } });
    download.addEventListener('click', () => downloadFile(BACKUP_FILE, 'application/json', JSON.stringify(current.backup, null, 2)));
    return [h('p', { msg: 'sealing.ready' }), fingerprint, download, h('p', { class: 'hint', msg: 'sealing.downloadHint' })];
  }

  function render() {
    root.removeAttribute('aria-busy');
    if (held && serverKey && isSamePublicKey(held.pair.publicKey, serverKey)) return body.replaceChildren(...readyView(held));
    if (!serverKey) return body.replaceChildren(h('p', { msg: 'sealing.setupIntro' }), setupForm(false));
    const replace = h('button', { class: 'button small', msg: 'sealing.replace', attrs: { type: 'button' } });
    replace.addEventListener('click', () => body.replaceChildren(h('p', { msg: 'sealing.setupIntro' }), setupForm(true)));
    const parts: HTMLElement[] = [h('p', { msg: held ? 'sealing.otherKey' : 'sealing.missingHere' }), importForm()];
    if (held) {
      const useThis = h('button', { class: 'button small', msg: 'sealing.useThis', attrs: { type: 'button' } });
      const mine = held;
      useThis.addEventListener('click', () => void adopt(mine, true));
      parts.push(useThis);
    } else parts.push(replace);
    body.replaceChildren(...parts);
  }

  void (async () => {
    const [local, remote] = await Promise.all([loadSealingKey(therapistId).catch(() => null), therapistApi.getSealingKey().catch(() => ({ sealingKey: null }))]);
    held = local;
    serverKey = remote.sealingKey?.publicKey ?? null;
    // The account lost its key on the server (or never had it) but this browser holds one: it is the account's.
    if (held && !serverKey) await adopt(held, true).catch(() => render());
    else render();
    changed();
  })();

  return {
    root,
    pair: () => (held && serverKey && isSamePublicKey(held.pair.publicKey, serverKey) ? held.pair : null),
    isSetUp: () => serverKey !== null,
    onChange: (listener) => void listeners.add(listener),
  };
}
