/**
 * Resellers in the portal: the back office's list of pending applications with Approve, and on an
 * account's page the reseller that acts for it, which its administrators (or the back office) set
 * to an approved reseller's id or remove.
 */
import { api } from '../api';
import { field, h, replace } from '../dom';
import { dateTime, section, showError, submitting, table } from '../ui';

interface ResellerApplication {
  resellerId: string;
  companyName: string;
  country: string;
  status: 'pending' | 'approved';
  createdAt: string;
}

/** The back office: applications waiting for approval, oldest first. */
export function resellerApplicationsSection(): HTMLElement {
  const list = h('div', { 'aria-live': 'polite' }, h('p', { class: 'loading' }, 'Loading applications…'));
  const status = h('p', { class: 'notice', 'aria-live': 'polite' });
  const load = async (): Promise<void> => {
    try {
      const { resellers } = await api<{ resellers: ResellerApplication[] }>('GET', '/v1/ops/resellers?status=pending');
      const rows = resellers.map((r) => {
        const approve = h(
          'button',
          { type: 'button', 'data-testid': `approve-${r.resellerId}` },
          `Approve ${r.companyName}`,
        );
        approve.addEventListener('click', () => {
          approve.disabled = true;
          void api('POST', `/v1/ops/resellers/${encodeURIComponent(r.resellerId)}/approval`)
            .then(async () => {
              status.textContent = `${r.companyName} is approved as reseller ${r.resellerId}.`;
              await load();
            })
            .catch((error: unknown) => {
              approve.disabled = false;
              showError(list, error);
            });
        });
        return [r.companyName, r.country, r.resellerId, dateTime(r.createdAt), approve];
      });
      replace(
        list,
        table(
          'Pending reseller applications',
          ['Company', 'Country', 'Reseller id', 'Applied', ''],
          rows,
          'No application is waiting.',
        ),
        h('div', { class: 'form-error', role: 'alert' }),
      );
    } catch (error) {
      replace(list, h('div', { class: 'form-error', role: 'alert' }));
      showError(list, error);
    }
  };
  void load();
  return section('Reseller applications', status, list);
}

/** On the account's page: who acts for it; administrators and the back office change it. */
export function accountResellerSection(
  accountId: string,
  resellerId: string | undefined,
  mayChoose: boolean,
): HTMLElement {
  const current = h(
    'p',
    { 'data-testid': 'account-reseller', 'aria-live': 'polite' },
    resellerId ? `Reseller ${resellerId} acts for this account.` : 'No reseller acts for this account.',
  );
  if (!mayChoose) return section('Reseller', current);
  const input = h('input', { type: 'text', autocomplete: 'off', required: true, value: resellerId ?? '' });
  const form = h(
    'form',
    { class: 'stack', 'aria-label': 'Choose the reseller' },
    field('Reseller id', input, 'resellerId', 'The id your reseller gave you, e.g. res-…'),
    h('button', { type: 'submit' }, 'Let this reseller act for the account'),
    h('div', { class: 'form-error', role: 'alert' }),
  );
  const remove = h(
    'button',
    { type: 'button', class: 'secondary', hidden: resellerId ? undefined : true },
    'Remove the reseller',
  );
  form.addEventListener(
    'submit',
    submitting(
      form,
      async () => {
        const set = await api<{ resellerId: string; companyName: string }>(
          'PUT',
          `/v1/accounts/${accountId}/reseller`,
          {
            resellerId: input.value.trim(),
          },
        );
        current.textContent = `Reseller ${set.resellerId} (${set.companyName}) acts for this account.`;
        remove.hidden = false;
      },
      { resellerId: 'Reseller id' },
    ),
  );
  remove.addEventListener('click', () => {
    remove.disabled = true;
    void api('DELETE', `/v1/accounts/${accountId}/reseller`)
      .then(() => {
        current.textContent = 'No reseller acts for this account.';
        input.value = '';
        remove.hidden = true;
      })
      .catch((error: unknown) => showError(form, error))
      .finally(() => {
        remove.disabled = false;
      });
  });
  return section('Reseller', current, form, remove);
}
