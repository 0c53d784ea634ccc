/** Back office: find accounts, deposit an order (form in back-office.ts, or JSON upload), open any account by id. */
import { api } from '../api';
import { resellerApplicationsSection } from './resellers';
import { accountSearchSection, orderFormSection, recentSection } from './back-office';
import { field, h, replace } from '../dom';
import { readJsonFile, section, submitting } from '../ui';
import { openAccountForm } from './account';

interface OrderResult {
  orderId: string;
  accountId: string;
  accountCreated: boolean;
}

const orderLabels: Record<string, string> = {
  'account.id': 'Existing account id',
  'account.create.name': 'New account name',
  'account.create.region': 'Home region',
  'account.create.resellerId': 'Reseller id',
  'admin.email': 'First administrator’s e-mail',
};

export function opsPage(root: HTMLElement, navigate: (hash: string) => void): void {
  const result = h('div', { class: 'result', 'aria-live': 'polite' });
  const shown = (r: OrderResult, status: string) =>
    replace(
      result,
      h(
        'p',
        null,
        `Order ${r.orderId} ${status} into `,
        h('a', { href: `#/accounts/${r.accountId}` }, r.accountId),
        r.accountCreated ? ' (new account)' : '',
        '.',
      ),
    );

  const file = h('input', { type: 'file', accept: '.json,application/json' });
  const upload = h('form', { class: 'stack', 'aria-label': 'Deposit an order from a file' });
  upload.addEventListener(
    'submit',
    submitting(
      upload,
      async () => {
        const parsed = (await readJsonFile(file)) as { orderId?: unknown };
        const id =
          typeof parsed.orderId === 'string' ? parsed.orderId : `PO-${new Date().toISOString().slice(0, 10)}-upload`;
        const { orderId: _drop, ...body } = parsed as Record<string, unknown>;
        const r = await api<OrderResult>('PUT', `/v1/ops/orders/${encodeURIComponent(id)}`, body);
        shown(r, 'deposited');
      },
      orderLabels,
    ),
  );
  upload.append(
    h(
      'p',
      { class: 'hint' },
      'A JSON file with the API’s order body ',
      h('code', null, '{ account, lines }'),
      ' and its ',
      h('code', null, 'orderId'),
      ' (else one of today’s date is made up).',
    ),
    field('Order file', file),
    h('button', { type: 'submit' }, 'Upload and deposit'),
    h('div', { class: 'form-error', role: 'alert' }),
  );

  replace(
    root,
    h('h1', null, 'Back office'),
    h('p', null, h('a', { href: '#/ops/terms' }, 'Terms of use: publish a version, see the consents')),
    h('p', null, h('a', { href: '#/ops/advisories' }, 'Advisory tables: CUCM compatibility, suite known issues')),
    section('Open an account', openAccountForm(navigate)),
    accountSearchSection(),
    orderFormSection(),
    section('Deposit from a file', upload),
    result,
    recentSection(),
    resellerApplicationsSection(),
  );
}
