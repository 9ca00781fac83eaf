/**
 * Imported first by main.ts, so this runs before any other module: the invite
 * secret leaves the address bar (and history) at once.
 */
import { takeInviteFromFragment } from './invite-store.ts';
import { resetJourney } from './journey-store.ts';

if (takeInviteFromFragment()) resetJourney();
