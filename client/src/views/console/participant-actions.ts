/**
 * What the therapist does to the people of one session: admit, send back, mute, talk with one
 * partner alone (the other is held) and bring them back, remove (after a confirmation), admit
 * everyone waiting, and a new invitation link. Each says what happened,
 * or why it did not, in the panel's live notice.
 */
import { COMMANDS, type InviteLink, type ParticipantPresence, type SessionKind } from '@alcove/shared';
import { sendCommand, type AlcoveSocket } from '../../api/socket-connection.ts';
import { therapistApi } from '../../api/therapist-api.ts';
import type { MessageKey, MessageParams } from '../../i18n/translate.ts';
import { confirmAction } from '../common/confirm-dialog.ts';
import { panelErrorKey } from './panel-error.ts';
import { whoLabel, type ParticipantAction } from './participant-row.ts';

export interface ParticipantActionDeps {
  socket: AlcoveSocket;
  sessionId: string;
  links: Map<string, InviteLink>;
  kind(): SessionKind;
  /** Everyone of the session, as last shown: "talk with one alone" holds the other. */
  participants(): readonly ParticipantPresence[];
  say(key: MessageKey, params?: MessageParams): void;
  /** A link changed: show it. */
  render(): void;
}

export interface ParticipantActions {
  act(action: ParticipantAction, p: ParticipantPresence): Promise<void>;
  admitAll(): Promise<void>;
  reissue(participantId: string): Promise<void>;
}

/**
 * Sending back, holding and removing take effect in Alcove before LiveKit is asked to drop the
 * person's media connection: when only that last step fails, the person is out (and out of the
 * key), so the panel says so instead of "nothing was changed".
 */
async function takingOut(deps: ParticipantActionDeps, who: string, run: () => Promise<unknown>): Promise<boolean> {
  try {
    await run();
    return true;
  } catch (error) {
    if (panelErrorKey(error) !== 'panel.error.mediaUnavailable') throw error;
    deps.say('panel.outMediaLate', { who });
    return false;
  }
}

async function runAction(deps: ParticipantActionDeps, action: ParticipantAction, p: ParticipantPresence): Promise<void> {
  const { socket, sessionId } = deps;
  const who = whoLabel(deps.kind(), p);
  const target = { sessionId, participantId: p.participantId };
  if (action === 'admit') await sendCommand(socket, COMMANDS.admit, target);
  if (action === 'send-back') await takingOut(deps, who, () => sendCommand(socket, COMMANDS.sendBack, target));
  if (action === 'mute') {
    const result = await sendCommand(socket, COMMANDS.mute, target);
    deps.say(result.mutedTracks > 0 ? 'panel.muted' : 'panel.alreadyMuted', { who });
  }
  if (action === 'alone') {
    const other = deps.participants().find((q) => q.participantId !== p.participantId && q.state === 'in-call');
    if (!other) return deps.say('panel.error.conflict');
    const held = whoLabel(deps.kind(), other);
    if (await takingOut(deps, held, () => sendCommand(socket, COMMANDS.hold, { sessionId, participantId: other.participantId }))) {
      deps.say('panel.heldNotice', { with: who, held });
    }
  }
  if (action === 'release') {
    await sendCommand(socket, COMMANDS.release, target);
    deps.say('panel.releasedNotice', { who });
  }
  if (action === 'remove') {
    const sure = await confirmAction({ title: 'confirm.remove.title', body: 'confirm.remove.body', confirm: 'confirm.remove.confirm', params: { who } });
    if (!sure) return;
    const clean = await takingOut(deps, who, () => sendCommand(socket, COMMANDS.remove, target));
    deps.links.delete(p.participantId);
    if (clean) deps.say('panel.removed', { who });
  }
}

export function participantActions(deps: ParticipantActionDeps): ParticipantActions {
  const saying = async (run: () => Promise<void>) => {
    try {
      await run();
    } catch (error) {
      deps.say(panelErrorKey(error));
    }
  };
  return {
    act: (action, p) => saying(() => runAction(deps, action, p)),
    admitAll: () => saying(async () => void (await sendCommand(deps.socket, COMMANDS.admitAll, { sessionId: deps.sessionId }))),
    reissue: (participantId) =>
      saying(async () => {
        const link = await therapistApi.reissueInvite(deps.sessionId, participantId);
        deps.links.set(participantId, link);
        deps.render();
        deps.say('links.reissued');
      }),
  };
}
