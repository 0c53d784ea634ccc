/**
 * The account's data and its closure (docs/retention.md): "Export data" downloads everything the
 * cloud holds about the account as JSON; "Close account…" asks for the account's name in a dialog
 * saying what closing does and when the data is erased; a closed account's page says so at the top.
 */
import { api, apiText } from '../api';
import { field, h, replace } from '../dom';
import type { Session } from '../session';
import { dateTime, day, downloadText, section, showError, submitting } from '../ui';

export interface ClosureView {
  accountId: string;
  status: 'open' | 'closed';
  closedAt?: string;
  eraseAfter?: string;
  erasedAt?: string;
  installationsPending?: number;
}

/** What the banner and the dialog say closing does; the days come from the answer, not from here. */
export function closedText(view: ClosureView): string {
  if (view.status !== 'closed') return '';
  if (view.erasedAt)
    return `This account was closed on ${dateTime(view.closedAt)}. Its personal and support data was erased on ${day(view.erasedAt)}; its orders, licences and licence history are kept as the law requires.`;
  return `This account was closed on ${dateTime(view.closedAt)}. Its installations no longer receive licences and nothing new is accepted. Its users, support findings and snapshots, and Presence data will be erased after ${day(view.eraseAfter)}; until then you can still export its data.`;
}

const closure = (accountId: string) => api<ClosureView>('GET', `/v1/accounts/${accountId}/closure`);

/** At the top of the page: empty while the account is open. */
export function closedBanner(accountId: string): HTMLElement {
  const banner = h('div', { role: 'status', 'data-testid': 'closed-banner' });
  void closure(accountId)
    .then((view) => {
      if (view.status === 'closed') replace(banner, h('p', { class: 'notice closed' }, closedText(view)));
    })
    .catch(() => undefined);
  return banner;
}

export function closureSection(
  session: Session,
  account: { accountId: string; name: string },
  reload: (notice: string) => Promise<void>,
): HTMLElement | null {
  if (session.role === 'support') return null;
  const { accountId } = account;
  const area = h('div', { 'aria-live': 'polite' });

  const exportButton = h('button', { type: 'button', class: 'secondary' }, 'Export data');
  exportButton.addEventListener('click', () => {
    exportButton.disabled = true;
    void apiText(`/v1/accounts/${accountId}/export`, 'application/json')
      .then((text) => downloadText(`account-${accountId}.json`, text, 'application/json'))
      .catch((error: unknown) => showError(area, error))
      .finally(() => {
        exportButton.disabled = false;
      });
  });

  const mayClose = session.role === 'customer' || session.role === 'backoffice';
  const render = (view: ClosureView) => {
    const children: (HTMLElement | string)[] = [
      h(
        'p',
        null,
        'Download everything the cloud holds about this account as a JSON file: licences, installations, support findings, users, terms consents and the audit log.',
      ),
      exportButton,
    ];
    if (view.status === 'closed') {
      children.push(h('p', { class: 'notice' }, closedText(view)));
      if (session.role === 'backoffice' && !view.erasedAt) children.push(reopenButton());
    } else if (mayClose) children.push(closeDialog(view));
    replace(area, ...children, h('div', { class: 'form-error', role: 'alert' }));
  };

  const reopenButton = () => {
    const button = h('button', { type: 'button', class: 'secondary' }, 'Reopen account');
    button.addEventListener('click', () => {
      button.disabled = true;
      void api('DELETE', `/v1/accounts/${accountId}/closure`)
        .then(() => reload('The account was reopened. Its installations activate again with new keys.'))
        .catch((error: unknown) => {
          button.disabled = false;
          showError(area, error);
        });
    });
    return button;
  };

  const closeDialog = (_view: ClosureView) => {
    const name = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', required: true });
    const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
    const form = h(
      'form',
      { method: 'dialog' },
      h('h3', null, `Close ${account.name}?`),
      h(
        'ul',
        null,
        h('li', null, 'Every installation is deactivated at once: its next licence poll is refused.'),
        h('li', null, 'Telemetry and the Presence Service are switched off; Microsoft 365 is disconnected.'),
        h('li', null, 'No new activation keys, orders or activations are accepted.'),
        h(
          'li',
          null,
          'After 30 days the users, support findings and snapshots and Presence data are erased. Orders, licences and the licence history are kept for 10 years, as the law requires.',
        ),
      ),
      h('p', null, 'Export the data first if you want a copy.'),
      field('Type the account name to confirm', name, 'confirmName', account.name),
      h('div', { class: 'form-error', role: 'alert' }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'danger' }, 'Close account'), cancel),
    );
    const dialog = h('dialog', { class: 'confirm', 'aria-label': `Close ${account.name}` }, form);
    cancel.addEventListener('click', () => dialog.close());
    form.addEventListener(
      'submit',
      submitting(
        form,
        async () => {
          const view = await api<ClosureView>('POST', `/v1/accounts/${accountId}/closure`, {
            confirmName: name.value.trim(),
          });
          dialog.close();
          await reload(closedText(view));
        },
        { confirmName: 'Account name' },
      ),
    );
    const open = h('button', { type: 'button', class: 'danger' }, 'Close account…');
    open.addEventListener('click', () => {
      dialog.showModal();
      name.focus();
    });
    return h('div', null, open, dialog);
  };

  void closure(accountId)
    .then(render)
    .catch((error: unknown) => showError(area, error));
  return section('Account data and closure', area);
}
