/**
 * A reseller's customers, each with what needs attention (renewals due, open findings, active
 * installations), searched by name or account id as one types; a reseller picks the one it acts for.
 */
import { api } from '../api';
import { field, h, replace } from '../dom';
import type { Session } from '../session';
import { day, section, table } from '../ui';
import { openAccountForm } from './account';

interface Customer {
  accountId: string;
  name: string;
  region: string;
  summary?: {
    installations: number;
    renewalsDue: number;
    nextRenewalAt?: string;
    openFindings: number | null;
  };
}

const renewalText = (c: Customer): string => {
  const s = c.summary;
  if (!s) return '—';
  if (s.renewalsDue === 0) return 'none in the next 90 days';
  const next = s.nextRenewalAt ?? '';
  const when = Date.parse(next) < Date.now() ? `ended ${day(next)}` : `next ${day(next)}`;
  return `${s.renewalsDue} (${when})`;
};

const findingsText = (c: Customer): string => {
  const n = c.summary?.openFindings;
  if (n === undefined) return '—';
  if (n === null) return `in the ${c.region.toUpperCase()} portal`;
  return n === 0 ? 'none' : String(n);
};

/** The customers whose name or account id holds every word of the search. */
export function matchesSearch(customer: Pick<Customer, 'name' | 'accountId'>, search: string): boolean {
  const haystack = `${customer.name} ${customer.accountId}`.toLowerCase();
  return search
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
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
  const search = h('input', { type: 'search', autocomplete: 'off' });
  const count = h('p', { class: 'meta', 'aria-live': 'polite' });
  const list = h('div');
  const render = () => {
    const shown = accounts.filter((a) => matchesSearch(a, search.value));
    count.textContent =
      shown.length === accounts.length
        ? `${accounts.length} customers.`
        : `${shown.length} of ${accounts.length} customers match.`;
    replace(
      list,
      table(
        'Customers of this reseller',
        ['Customer', 'Renewals due', 'Open findings', 'Installations', 'Smart Account', 'Home region'],
        shown.map((a) => [
          h('a', { href: `#/accounts/${a.accountId}` }, a.name),
          renewalText(a),
          findingsText(a),
          a.summary ? String(a.summary.installations) : '—',
          h('code', null, a.accountId),
          a.region.toUpperCase(),
        ]),
        accounts.length === 0 ? 'No customer accounts yet.' : 'No customer matches this search.',
      ),
    );
  };
  search.addEventListener('input', render);
  render();
  replace(
    root,
    h('h1', null, 'Your customers'),
    h('p', { class: 'meta' }, `Reseller ${resellerId}. Pick the customer you act for.`),
    section(
      'Customers',
      h(
        'form',
        { role: 'search', 'aria-label': 'Search customers', onsubmit: (e: Event) => e.preventDefault() },
        field('Search by name or account id', search),
      ),
      count,
      list,
    ),
    section('Open by id', openAccountForm(navigate)),
  );
}
