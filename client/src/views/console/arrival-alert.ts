/**
 * "I didn't know they were waiting": when someone checks in, a chime, a desktop
 * notification (when permitted) and a count in the tab title — all of which
 * also work while the tab is in the background. The notification text is
 * neutral: no names on a screen others may see.
 */
import { playSound } from '../../call/tone-player.ts';
import { onLocaleChange, t } from '../../i18n/translate.ts';

export interface ArrivalAlert {
  /** How many people are waiting now, across sessions. */
  setWaitingCount(count: number): void;
  arrived(): void;
  canAskForNotifications(): boolean;
  askForNotifications(): Promise<boolean>;
}

export function createArrivalAlert(): ArrivalAlert {
  let waitingCount = 0;
  const renderTitle = () => {
    document.title = waitingCount > 0 ? t('title.consoleWaiting', { count: waitingCount }) : t('title.console');
  };
  onLocaleChange(renderTitle);
  renderTitle();

  return {
    setWaitingCount(count) {
      waitingCount = count;
      renderTitle();
    },
    arrived() {
      void playSound('arrival');
      if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
        try {
          const notification = new Notification(t('notification.arrivalTitle'), { body: t('notification.arrivalBody'), tag: 'alcove-arrival' });
          notification.addEventListener('click', () => {
            window.focus();
            notification.close();
          });
        } catch {
          // some platforms only allow notifications from a service worker; the title and sound still work
        }
      }
    },
    canAskForNotifications: () => typeof Notification !== 'undefined' && Notification.permission === 'default',
    async askForNotifications() {
      if (typeof Notification === 'undefined') return false;
      return (await Notification.requestPermission()) === 'granted';
    },
  };
}
