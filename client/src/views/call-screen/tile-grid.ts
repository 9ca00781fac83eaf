/**
 * The call's tiles: one per person, kept for as long as they are in the call, so a `<video>`
 * is never re-created (re-attaching restarts decoding and loses adaptive-stream observation).
 */
import type { PeerSnapshot } from '../../call/call-room.ts';
import { h } from '../common/dom-builder.ts';
import { createParticipantTile, type ParticipantTile } from './participant-tile.ts';

export interface TileGrid {
  readonly root: HTMLElement;
  render(peers: PeerSnapshot[]): void;
}

export function createTileGrid(attachVideo: (identity: string, video: HTMLVideoElement) => void): TileGrid {
  const tiles = new Map<string, ParticipantTile>();
  const root = h('div', { class: 'tiles', attrs: { 'data-count': 1 } });

  const tileFor = (peer: PeerSnapshot) => {
    let tile = tiles.get(peer.identity);
    if (tile) return tile;
    tile = createParticipantTile();
    tiles.set(peer.identity, tile);
    // The others first, yourself last (and smaller on a phone).
    const localTile = root.querySelector('.tile.is-local');
    if (peer.isLocal || !localTile) root.append(tile.root);
    else root.insertBefore(tile.root, localTile);
    return tile;
  };

  return {
    root,
    render(peers) {
      const seen = new Set<string>();
      for (const peer of peers) {
        seen.add(peer.identity);
        tileFor(peer).update(peer, (video) => attachVideo(peer.identity, video));
      }
      for (const [identity, tile] of tiles) {
        if (seen.has(identity)) continue;
        tile.root.remove();
        tiles.delete(identity);
      }
      root.dataset.count = String(tiles.size);
    },
  };
}
