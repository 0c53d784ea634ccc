/**
 * Support's telemetry cycle of one installation (docs/telemetry.md, "The cycle"): send every 1 or
 * 5 minutes for 24 hours while investigating, or back to its Care level's cycle now.
 */
import { api } from '../api';
import { h, replace } from '../dom';
import { dateTime, section, showError } from '../ui';

export interface TelemetryInterval {
  installationId: string;
  seconds: number;
  until: string;
}

/** What the page says once support's cycle is set. */
export const intervalText = (set: TelemetryInterval): string =>
  `Sending every ${set.seconds % 60 === 0 ? `${set.seconds / 60} min` : `${set.seconds} s`} until ${dateTime(set.until)} (from the agent’s next cycle).`;

export function telemetryIntervalSection(installationId: string): HTMLElement {
  const path = `/v1/support/installations/${installationId}/telemetry-interval`;
  const status = h(
    'p',
    { class: 'meta', role: 'status' },
    'The installation sends on its Care level’s cycle unless support set another.',
  );
  const error = h('div', { class: 'form-error', role: 'alert' });
  const act = (label: string, run: () => Promise<string>) => {
    const button = h('button', { type: 'button', class: 'secondary' }, label);
    button.addEventListener('click', async () => {
      button.disabled = true;
      error.textContent = '';
      try {
        replace(status, await run());
      } catch (e) {
        showError(error.parentElement ?? error, e);
      } finally {
        button.disabled = false;
      }
    });
    return button;
  };
  const every = (minutes: number) =>
    act(`Send every ${minutes === 1 ? '1 minute' : `${minutes} minutes`} for 24 h`, async () => {
      return intervalText(await api<TelemetryInterval>('PUT', path, { seconds: minutes * 60 }));
    });
  return section(
    'Telemetry cycle',
    h(
      'div',
      { class: 'row' },
      every(1),
      every(5),
      act('Back to normal', async () => {
        await api('DELETE', path);
        return 'Back to the Care level’s cycle (from the agent’s next cycle).';
      }),
    ),
    status,
    error,
  );
}
