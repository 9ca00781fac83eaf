/**
 * Entry point. The invite secret is taken out of the address bar before any
 * other code runs; then one single-page app routes by path: /join for
 * clients, /console for therapists.
 */
import './state/take-invite-first.ts';
import './styles/base.css';
import './styles/layout.css';
import './styles/call.css';
import './styles/console.css';
import { installLanguageRefresh } from './i18n/bind.ts';
import { initLocale, onLocaleChange, t } from './i18n/translate.ts';
import { landingView } from './views/common/landing-view.ts';
import { createPageShell } from './views/common/page-shell.ts';

initLocale();
installLanguageRefresh();

const mount = document.getElementById('app')!;
const path = location.pathname.replace(/\/+$/u, '') || '/';

if (path === '/join') {
  const setTitle = () => (document.title = t('title.client'));
  setTitle();
  onLocaleChange(setTitle);
  void import('./views/join/join-app.ts').then(({ startJoinApp }) => startJoinApp(mount));
} else if (path === '/console') {
  void import('./views/console/console-app.ts').then(({ startConsoleApp }) => startConsoleApp(mount));
} else {
  const setTitle = () => (document.title = t('title.client'));
  setTitle();
  onLocaleChange(setTitle);
  createPageShell(mount, 'brand.client').show(landingView(), 'landing');
}
