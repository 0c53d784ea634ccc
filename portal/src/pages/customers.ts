/** A reseller picks the customer it acts for. */
import { api } from '../api';
import { h, replace } from '../dom';
import type { Session } from '../session';
import { section, table } from '../ui';
import { openAccountForm } from './account';

interface Customer {
  accountId: string;
  name: string;
  region: string;
}

export async function customersPage(
  root: HTMLElement,
  session: Session,
  navigate: (hash: string) => void,
): Promise<void> {
  const resellerId = session.resellerId ?? '';
  const { accounts } = await api<{ accounts: Customer[] }>(
    'GET',
    `/v1/resellers/${encodeURIComponent(resellerId)}/accounts`,
  );
  const rows = accounts.map((a) => [
    h('a', { href: `#/accounts/${a.accountId}` }, a.name),
    h('code', null, a.accountId),
    a.region.toUpperCase(),
  ]);
  replace(
    root,
    h('h1', null, 'Your customers'),
    h('p', { class: 'meta' }, `Reseller ${resellerId}. Pick the customer you act for.`),
    section(
      'Customers',
      table(
        'Customers of this reseller',
        ['Customer', 'Smart Account', 'Home region'],
        rows,
        'No customer accounts yet.',
      ),
    ),
    section('Open by id', openAccountForm(navigate)),
  );
}
