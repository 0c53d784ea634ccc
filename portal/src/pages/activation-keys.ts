/**
 * An account's activation keys: the key just created with a copy button (it is shown this once),
 * and the list of every key with who created it, its allocation, expiry and state, open keys with
 * a revoke after a confirmation. The service keeps only each key's last four characters.
 */
import { api } from '../api';
import { h, replace } from '../dom';
import { productNames } from '../terms';
import { dateTime, day, showError, table } from '../ui';

interface KeyListing {
  keyId: string;
  hint: string;
  state: 'open' | 'used' | 'revoked' | 'expired';
  createdAt: string;
  createdByName: string;
  expiresAt: string;
  allocation: Record<string, number>;
  followsPool: boolean;
  usedBy?: string;
  usedAt?: string;
  revokedAt?: string;
}

export interface CreatedKey {
  activationKey: string;
  expiresAt: string;
  allocation: Record<string, number>;
}

const allocationText = (allocation: Record<string, number>, followsPool: boolean) =>
  `${Object.entries(allocation)
    .map(([p, n]) => `${productNames[p] ?? p} ×${n}`)
    .join(', ')}${followsPool ? ' (and what the account buys later)' : ''}`;

const stateText = (k: KeyListing): string => {
  switch (k.state) {
    case 'open':
      return 'open: not used yet';
    case 'used':
      return `used by ${k.usedBy ?? 'an installation'}${k.usedAt ? ` on ${day(k.usedAt)}` : ''}`;
    case 'revoked':
      return `revoked on ${day(k.revokedAt)}`;
    case 'expired':
      return 'expired unused';
  }
};

/** The key just created, shown once, with a button that copies it. */
export function createdKeyView(created: CreatedKey): HTMLElement[] {
  const keyText = h('output', { class: 'key', 'data-testid': 'activation-key' }, created.activationKey);
  const copy = h('button', { type: 'button', class: 'secondary' }, 'Copy');
  copy.addEventListener(
    'click',
    () =>
      void navigator.clipboard
        ?.writeText(created.activationKey)
        .then(() => (copy.textContent = 'Copied'))
        .catch(() => (copy.textContent = 'Select and copy the key')),
  );
  return [
    h(
      'p',
      null,
      'New single-use key, valid until ',
      day(created.expiresAt),
      ' for ',
      allocationText(created.allocation, false),
      '. Copy it now: it is not shown again.',
    ),
    h('div', { class: 'row' }, keyText, copy),
  ];
}

/** The account's keys, newest first; `reload` after a key is created. */
export function activationKeyList(
  accountId: string,
  mayManage: boolean,
): { element: HTMLElement; reload: () => Promise<void> } {
  const list = h('div', { 'aria-live': 'polite' }, h('p', { class: 'loading' }, 'Loading activation keys…'));
  const status = h('p', { class: 'notice', 'aria-live': 'polite' });

  const revokeButton = (k: KeyListing): HTMLElement => {
    const button = h('button', { type: 'button', class: 'secondary' }, `Revoke key …${k.hint}`);
    button.addEventListener('click', () => {
      if (!confirm(`Revoke the key ending ${k.hint}? No installation can activate with it afterwards.`)) return;
      button.toggleAttribute('disabled', true);
      void api('DELETE', `/v1/accounts/${accountId}/activation-keys/${encodeURIComponent(k.keyId)}`)
        .then(() => {
          status.textContent = `The key ending ${k.hint} is revoked.`;
          return reload();
        })
        .catch((error: unknown) => {
          button.toggleAttribute('disabled', false);
          showError(list, error);
        });
    });
    return button;
  };

  const reload = async (): Promise<void> => {
    try {
      const { keys } = await api<{ keys: KeyListing[] }>('GET', `/v1/accounts/${accountId}/activation-keys`);
      const rows = keys.map((k) => [
        `…${k.hint}`,
        stateText(k),
        allocationText(k.allocation, k.followsPool),
        `${dateTime(k.createdAt)} by ${k.createdByName}`,
        day(k.expiresAt),
        ...(mayManage ? [k.state === 'open' ? revokeButton(k) : ''] : []),
      ]);
      replace(
        list,
        table(
          'Activation keys of this account',
          ['Key', 'State', 'Allocation', 'Created', 'Expires', ...(mayManage ? ['Revoke'] : [])],
          rows,
          'No activation keys yet.',
        ),
        h('div', { class: 'form-error', role: 'alert' }),
      );
    } catch (error) {
      replace(
        list,
        h('p', null, 'The activation keys could not be loaded.'),
        h('div', { class: 'form-error', role: 'alert' }),
      );
      showError(list, error);
    }
  };

  void reload();
  return { element: h('div', { class: 'stack' }, h('h3', null, 'Keys issued'), status, list), reload };
}
