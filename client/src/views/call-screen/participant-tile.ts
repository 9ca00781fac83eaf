/** One person in the call: their video (or initials), name, microphone state and connection quality. */
import type { PeerSnapshot, Quality } from '../../call/call-room.ts';
import { bindAttr, bindText, clearText } from '../../i18n/bind.ts';
import type { MessageKey } from '../../i18n/translate.ts';
import { h } from '../common/dom-builder.ts';

const QUALITY_KEYS: Readonly<Record<Quality, MessageKey>> = {
  excellent: 'call.quality.excellent',
  good: 'call.quality.good',
  poor: 'call.quality.poor',
  lost: 'call.quality.lost',
  unknown: 'call.quality.unknown',
};

export interface ParticipantTile {
  readonly root: HTMLElement;
  update(peer: PeerSnapshot, attach: (video: HTMLVideoElement) => void): void;
}

function initialsOf(name: string): string {
  const parts = name.trim().split(/\s+/u).filter(Boolean);
  return parts
    .slice(0, 2)
    .map((p) => [...p][0] ?? '')
    .join('')
    .toLocaleUpperCase();
}

export function createParticipantTile(): ParticipantTile {
  const video = h('video', { class: 'tile-video', attrs: { autoplay: true, playsinline: true } });
  video.muted = true; // audio plays through separate elements; this keeps autoplay of video allowed
  const avatar = h('div', { class: 'tile-avatar', attrs: { 'aria-hidden': 'true' } });
  const name = h('span', { class: 'tile-name' });
  const you = h('span', { class: 'tile-you' });
  const mic = h('span', { class: 'tile-mic' });
  const quality = h('span', { class: 'tile-quality' }, h('span', { class: 'bars', attrs: { 'aria-hidden': 'true' } }, h('i'), h('i'), h('i')), h('span', { class: 'visually-hidden quality-text' }));
  const caption = h('figcaption', { class: 'tile-caption' }, name, you, mic, quality);
  const root = h('figure', { class: 'tile' }, video, avatar, caption);
  let attachedKey: string | null = null;

  return {
    root,
    update(peer, attach) {
      root.dataset.identity = peer.identity;
      root.classList.toggle('is-local', peer.isLocal);
      root.classList.toggle('is-speaking', peer.isSpeaking);
      root.classList.toggle('has-video', peer.hasVideo);
      if (peer.isLocal) {
        bindText(you, 'call.you');
        video.classList.add('mirrored');
      } else clearText(you);
      name.textContent = peer.name;
      avatar.textContent = initialsOf(peer.name) || '•';
      bindAttr(root, 'aria-label', peer.isLocal ? 'call.tile.you' : 'call.tile.other', { name: peer.name });
      root.setAttribute('role', 'group');
      // Only "muted" is shown; "microphone on" is the normal case and is only told to screen readers.
      mic.classList.toggle('is-off', !peer.isMicOn);
      mic.classList.toggle('visually-hidden', peer.isMicOn);
      bindText(mic, peer.isMicOn ? 'call.micOnShort' : 'call.micOffShort');
      quality.dataset.quality = peer.quality;
      bindText(quality.querySelector('.quality-text')!, QUALITY_KEYS[peer.quality]);
      bindAttr(quality, 'title', QUALITY_KEYS[peer.quality]);
      if (peer.videoKey !== attachedKey) {
        attachedKey = peer.videoKey;
        if (peer.videoKey) attach(video);
        else video.srcObject = null;
      }
    },
  };
}
