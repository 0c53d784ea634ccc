/**
 * The people who may sign in for a Smart Account: its administrators invite colleagues by e-mail
 * and remove them; its reseller and the back office do the same for it; support only sees them.
 * The invitation is e-mailed by the user directory (Cognito; locally, the outbox).
 */
import { api } from '../api';
import { field, h, replace } from '../dom';
import type { Session } from '../session';
import { dateTime, section, showError, submitting, table } from '../ui';

interface AccountUser {
  userId: string;
  email: string;
  status: 'invited' | 'active';
  createdAt?: string;
}

export function usersSection(session: Session, accountId: string, mayManage: boolean): HTMLElement {
  const list = h('div', { 'aria-live': 'polite' }, h('p', { class: 'loading' }, 'Loading users…'));
  const status = h('p', { class: 'notice', 'aria-live': 'polite' });

  const load = async (): Promise<void> => {
    try {
      const { users } = await api<{ users: AccountUser[] }>('GET', `/v1/accounts/${accountId}/users`);
      const rows = users.map((u) => {
        const cells: (string | HTMLElement)[] = [
          u.email,
          u.status === 'invited' ? 'invited (has not signed in yet)' : 'active',
          u.createdAt ? dateTime(u.createdAt) : '—',
        ];
        if (mayManage) {
          // Removing oneself is refused by the service too: a colleague or the reseller does it.
          const remove = h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              'data-testid': `remove-user-${u.email}`,
              disabled: u.userId === session.sub ? true : undefined,
            },
            'Remove',
          );
          remove.addEventListener('click', () => {
            if (!confirm(`Remove ${u.email}? They can no longer sign in for this account.`)) return;
            remove.disabled = true;
            void api('DELETE', `/v1/accounts/${accountId}/users/${encodeURIComponent(u.userId)}`)
              .then(() => {
                status.textContent = `${u.email} was removed.`;
                return load();
              })
              .catch((error: unknown) => {
                remove.disabled = false;
                showError(list, error);
              });
          });
          cells.push(remove);
        }
        return cells;
      });
      replace(
        list,
        table(
          'People who may sign in for this account',
          ['E-mail', 'Status', 'Since', ...(mayManage ? [''] : [])],
          rows,
          'Nobody is linked to this account yet.',
        ),
        h('div', { class: 'form-error', role: 'alert' }),
      );
    } catch (error) {
      replace(list, h('div', { class: 'form-error', role: 'alert' }));
      showError(list, error);
    }
  };

  let form: HTMLFormElement | null = null;
  if (mayManage) {
    const email = h('input', { type: 'email', autocomplete: 'off', required: true });
    form = h(
      'form',
      { class: 'stack', 'aria-label': 'Invite a colleague' },
      field('E-mail', email, 'email', 'They receive an e-mail to choose a password and sign in.'),
      h('button', { type: 'submit' }, 'Invite'),
      h('div', { class: 'form-error', role: 'alert' }),
    );
    form.addEventListener(
      'submit',
      submitting(
        form,
        async () => {
          const invited = await api<AccountUser>('POST', `/v1/accounts/${accountId}/users`, {
            email: email.value.trim(),
          });
          status.textContent = `${invited.email} is invited.`;
          email.value = '';
          await load();
        },
        { email: 'E-mail' },
      ),
    );
  }
  void load();
  return section('Users', status, list, form);
}
