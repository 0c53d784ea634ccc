/** Back office: deposit an order (form or JSON upload), open any account by id. */
import { api } from '../api';
import { resellerApplicationsSection } from './resellers';
import { field, h, replace } from '../dom';
import { productNames, products } from '../terms';
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
  'lines.0.product': 'Product',
  'lines.0.quantity': 'Quantity',
  'lines.0.kind': 'Kind',
  'lines.0.endsAt': 'Subscription end',
  'lines.0.care.level': 'Care level',
  'lines.0.care.endsAt': 'Care end',
};

const select = (options: readonly (readonly [string, string])[], value?: string) =>
  h(
    'select',
    null,
    options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)),
  );
const endOfDay = (date: string) => (date ? new Date(`${date}T23:59:59Z`).toISOString() : undefined);

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

  const orderId = h('input', {
    type: 'text',
    required: true,
    value: `PO-${new Date().toISOString().slice(0, 10)}-${Math.floor(Math.random() * 9000 + 1000)}`,
  });
  const target = select([
    ['existing', 'An existing account'],
    ['create', 'A new account'],
  ]);
  const accountId = h('input', { type: 'text', placeholder: 'acc_…', spellcheck: 'false' });
  const name = h('input', { type: 'text' });
  const region = select([
    ['eu', 'EU'],
    ['us', 'US'],
  ]);
  const resellerId = h('input', { type: 'text', placeholder: 'optional' });
  const adminEmail = h('input', { type: 'email', placeholder: 'optional', autocomplete: 'off' });
  const product = select(products.map((p) => [p, productNames[p] ?? p] as const));
  const quantity = h('input', { type: 'number', min: '1', value: '10', inputmode: 'numeric', required: true });
  const kind = select([
    ['perpetual', 'Perpetual'],
    ['subscription', 'Subscription'],
  ]);
  const endsAt = h('input', { type: 'date' });
  const care = select([
    ['', 'No Care'],
    ['basic', 'Basic'],
    ['gold', 'Gold'],
    ['platinum', 'Platinum'],
  ]);
  const careEndsAt = h('input', { type: 'date' });
  const existingBox = h('div', null, field('Existing account id', accountId, 'account.id'));
  const createBox = h(
    'div',
    { hidden: true, class: 'grid' },
    field('New account name', name, 'account.create.name'),
    field('Home region', region, 'account.create.region'),
    field('Reseller id', resellerId, 'account.create.resellerId'),
    field('First administrator’s e-mail', adminEmail, 'admin.email', 'Invited to sign in for the new account.'),
  );
  target.addEventListener('change', () => {
    existingBox.hidden = target.value !== 'existing';
    createBox.hidden = target.value !== 'create';
  });

  const form = h('form', { class: 'stack', 'aria-label': 'Deposit an order' });
  form.addEventListener(
    'submit',
    submitting(
      form,
      async () => {
        const line = {
          product: product.value,
          quantity: Number(quantity.value),
          kind: kind.value,
          ...(endsAt.value && { endsAt: endOfDay(endsAt.value) }),
          ...(care.value && { care: { level: care.value, endsAt: endOfDay(careEndsAt.value) } }),
        };
        const account =
          target.value === 'existing'
            ? { id: accountId.value.trim() }
            : {
                create: {
                  name: name.value,
                  region: region.value,
                  ...(resellerId.value && { resellerId: resellerId.value }),
                },
              };
        const admin =
          target.value === 'create' && adminEmail.value.trim() ? { admin: { email: adminEmail.value.trim() } } : {};
        const r = await api<OrderResult>('PUT', `/v1/ops/orders/${encodeURIComponent(orderId.value)}`, {
          account,
          lines: [line],
          ...admin,
        });
        shown(r, 'deposited');
      },
      orderLabels,
    ),
  );
  form.append(
    field(
      'Order id',
      orderId,
      'orderId',
      'The purchase order number; depositing the same order again changes nothing.',
    ),
    field('Deposit into', target),
    existingBox,
    createBox,
    h(
      'fieldset',
      null,
      h('legend', null, 'Order line'),
      h(
        'div',
        { class: 'grid' },
        field('Product', product, 'lines.0.product'),
        field('Quantity', quantity, 'lines.0.quantity'),
        field('Kind', kind, 'lines.0.kind'),
        field('Subscription end', endsAt, 'lines.0.endsAt'),
        field('Care level', care, 'lines.0.care.level'),
        field('Care end', careEndsAt, 'lines.0.care.endsAt'),
      ),
    ),
    h('button', { type: 'submit' }, 'Deposit order'),
    h('div', { class: 'form-error', role: 'alert' }),
  );

  const file = h('input', { type: 'file', accept: '.json,application/json' });
  const upload = h('form', { class: 'stack', 'aria-label': 'Deposit an order from a file' });
  upload.addEventListener(
    'submit',
    submitting(
      upload,
      async () => {
        const parsed = (await readJsonFile(file)) as { orderId?: unknown };
        const id = typeof parsed.orderId === 'string' ? parsed.orderId : orderId.value;
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
      ' (else the order id above is used).',
    ),
    field('Order file', file),
    h('button', { type: 'submit' }, 'Upload and deposit'),
    h('div', { class: 'form-error', role: 'alert' }),
  );

  replace(
    root,
    h('h1', null, 'Back office'),
    h('p', null, h('a', { href: '#/ops/terms' }, 'Terms of use: publish a version, see the consents')),
    section('Open an account', openAccountForm(navigate)),
    section('Deposit an order', form),
    section('Deposit from a file', upload),
    result,
    resellerApplicationsSection(),
  );
}
