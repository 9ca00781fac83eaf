/**
 * Imported first by main.ts, so this runs before any other module: the invite
 * secret leaves the address bar (and history) at once.
 */
import { takeInviteFromFragment } from './invite-store.ts';
import { resetJourney } from './journey-store.ts';

if (takeInviteFromFragment()) resetJourney();

// A link opened in a tab that is already on /join changes only the fragment (no page load): take it and start over.
window.addEventListener('hashchange', () => {
  if (!location.hash) return;
  if (takeInviteFromFragment()) resetJourney();
  location.reload();
});
