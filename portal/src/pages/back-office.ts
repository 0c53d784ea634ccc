/**
 * The back office's finding aids and order form: search accounts, recent orders and new accounts,
 * and an order of many lines (each kind shows only its fields) previewed before it is deposited.
 */
import { api } from '../api';
import { field, h, replace } from '../dom';
import { ApiError, type FieldProblem } from '../problem';
import { productNames, products } from '../terms';
import { clearError, dateTime, day, section, showError, table } from '../ui';

interface AccountMatch {
  accountId: string;
  name: string;
  region: string;
  resellerId?: string;
  createdAt: string;
  status?: 'open' | 'closed';
  closedAt?: string;
  eraseAfter?: string;
  admins?: string[];
}
interface OrderSummary {
  orderId: string;
  accountId: string;
  createdAt: string;
  accountCreated: boolean;
  lines: { product?: string; kind?: string; quantity?: number }[];
}
interface PreviewProduct {
  product: string;
  capacity: number;
  kind: string;
  care?: { level: string; expiresAt: string };
  subscriptionEndsAt?: string;
  changes: { at: string; capacity: number }[];
}
interface OrderPreview {
  accountId?: string;
  accountCreated: boolean;
  alreadyDeposited: boolean;
  products: PreviewProduct[];
}
interface OrderResult {
  orderId: string;
  accountId: string;
  accountCreated: boolean;
}

const accountLink = (accountId: string, text: string = accountId) => h('a', { href: `#/accounts/${accountId}` }, text);
const name = (product: string) => productNames[product] ?? product;
/** A result region the page moves focus to, so a screen reader reads what happened. */
const announced = () => h('div', { class: 'result', tabindex: '-1', 'aria-live': 'polite' });
const showIn = (region: HTMLElement, ...content: Parameters<typeof replace>[1][]) => {
  replace(region, ...content);
  region.focus();
};

function accountsTable(caption: string, accounts: readonly AccountMatch[]): HTMLElement {
  return table(
    caption,
    ['Name', 'Region', 'Reseller', 'Administrators', 'Created'],
    accounts.map((a) => [
      a.status === 'closed'
        ? h(
            'span',
            null,
            accountLink(a.accountId, a.name),
            ' ',
            h('span', { class: 'term-expired', 'data-testid': 'closed-account' }, `Closed ${day(a.closedAt ?? '')}`),
            a.eraseAfter ? ` (data erased after ${day(a.eraseAfter)})` : '',
          )
        : accountLink(a.accountId, a.name),
      a.region.toUpperCase(),
      a.resellerId ?? '—',
      a.admins?.length ? a.admins.join(', ') : '—',
      day(a.createdAt),
    ]),
    'No accounts.',
  );
}

/** Search by name, e-mail, account, installation or reseller id: what `q` reads (docs/back-office.md). */
export function accountSearchSection(): HTMLElement {
  const q = h('input', { type: 'search', required: true, spellcheck: 'false', autocomplete: 'off' });
  const results = announced();
  const form = h('form', { class: 'stack', role: 'search', 'aria-label': 'Find accounts' });
  form.noValidate = true;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearError(form);
    try {
      const found = await api<{ accounts: AccountMatch[]; truncated?: boolean }>(
        'GET',
        `/v1/ops/accounts?q=${encodeURIComponent(q.value.trim())}`,
      );
      showIn(
        results,
        found.accounts.length === 0
          ? h('p', null, `No account matches “${q.value.trim()}”.`)
          : accountsTable(`Accounts matching “${q.value.trim()}”`, found.accounts),
        found.truncated ? h('p', { class: 'hint' }, 'Only part of the names was searched: add a word.') : null,
      );
    } catch (error) {
      showError(form, error, { 'query.q': 'Search' });
    }
  });
  form.append(
    field(
      'Search',
      q,
      'query.q',
      'A name (or a word of it), an administrator’s e-mail, an account, installation or reseller id.',
    ),
    h('button', { type: 'submit' }, 'Search'),
    h('div', { class: 'form-error', role: 'alert' }),
  );
  return section('Find an account', form, results);
}

/** Recent orders and new accounts (sign-ups and orders alike), the last 30 days. */
export function recentSection(): HTMLElement {
  const since = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
  const orders = h('div', null, h('p', null, 'Loading recent orders…'));
  const accounts = h('div', null, h('p', null, 'Loading new accounts…'));
  void api<{ orders: OrderSummary[] }>('GET', `/v1/ops/orders?since=${since}&limit=20`).then(
    (page) =>
      replace(
        orders,
        table(
          'Orders of the last 30 days',
          ['Order', 'Account', 'Lines', 'Deposited'],
          page.orders.map((o) => [
            o.orderId,
            accountLink(o.accountId),
            o.lines
              .map((l) => `${l.kind ?? ''} ${name(l.product ?? '')}${l.quantity ? ` × ${l.quantity}` : ''}`)
              .join('; '),
            dateTime(o.createdAt),
          ]),
          'No orders in the last 30 days.',
        ),
      ),
    (error: unknown) => replace(orders, h('p', { role: 'alert' }, `Recent orders: ${String(error)}`)),
  );
  void api<{ accounts: AccountMatch[] }>('GET', `/v1/ops/accounts?createdSince=${since}&limit=20`).then(
    (page) => replace(accounts, accountsTable('Accounts created in the last 30 days', page.accounts)),
    (error: unknown) => replace(accounts, h('p', { role: 'alert' }, `New accounts: ${String(error)}`)),
  );
  return section('Recent', orders, accounts);
}

type Kind = 'perpetual' | 'subscription' | 'care';
interface LineForm {
  readonly box: HTMLFieldSetElement;
  read(n: number): { line: Record<string, unknown>; errors: FieldProblem[] };
  renumber(n: number, single: boolean): void;
}

const select = (options: readonly (readonly [string, string])[], value?: string) =>
  h(
    'select',
    null,
    options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)),
  );
const startOfDay = (date: string) => `${date}T00:00:00.000Z`;
const endOfDay = (date: string) => `${date}T23:59:59.000Z`;

/** One order line: its kind decides which fields show (and are sent). */
function lineForm(onRemove: (line: LineForm) => void): LineForm {
  const kind = select([
    ['perpetual', 'Perpetual'],
    ['subscription', 'Subscription'],
    ['care', 'Care renewal'],
  ]);
  const product = select(products.map((p) => [p, name(p)] as const));
  const quantity = h('input', { type: 'number', min: '1', value: '10', inputmode: 'numeric' });
  const startsAt = h('input', { type: 'date' });
  const endsAt = h('input', { type: 'date' });
  const care = select([
    ['', 'No Care'],
    ['basic', 'Basic'],
    ['gold', 'Gold'],
    ['platinum', 'Platinum'],
  ]);
  const careStartsAt = h('input', { type: 'date' });
  const careEndsAt = h('input', { type: 'date' });
  const legend = h('legend', null, 'Order line');
  const remove = h('button', { type: 'button', class: 'secondary' }, 'Remove line');
  const fields = {
    kind: field('Kind', kind),
    product: field('Product', product),
    quantity: field('Quantity', quantity),
    startsAt: field('Subscription start', startsAt),
    endsAt: field('Subscription end', endsAt),
    care: field('Care level', care),
    careStartsAt: field('Care start', careStartsAt, undefined, 'Empty: from the deposit.'),
    careEndsAt: field('Care end', careEndsAt),
  };
  const paths: [HTMLElement, string][] = [
    [kind, 'kind'],
    [product, 'product'],
    [quantity, 'quantity'],
    [startsAt, 'startsAt'],
    [endsAt, 'endsAt'],
    [care, 'care.level'],
    [careStartsAt, 'care.startsAt'],
    [careEndsAt, 'care.endsAt'],
  ];
  const shown = () => {
    const k = kind.value as Kind;
    fields.quantity.hidden = k === 'care';
    fields.startsAt.hidden = k !== 'subscription';
    fields.endsAt.hidden = k !== 'subscription';
    fields.careStartsAt.hidden = k !== 'care';
    // A care line is Care only; on a subscription, Care covers it until its end unless told earlier.
    fields.careEndsAt.hidden = care.value === '' && k !== 'care';
    care.options[0]!.hidden = k === 'care';
    if (k === 'care' && care.value === '') care.value = 'gold';
  };
  kind.addEventListener('change', shown);
  care.addEventListener('change', shown);
  shown();
  const box = h(
    'fieldset',
    { class: 'order-line' },
    legend,
    h('div', { class: 'grid' }, Object.values(fields)),
    remove,
  );
  const line: LineForm = {
    box,
    renumber(n, single) {
      legend.textContent = single ? 'Order line' : `Line ${n + 1}`;
      remove.hidden = single;
      remove.setAttribute('aria-label', `Remove line ${n + 1}`);
      for (const [input, path] of paths) input.dataset['path'] = `lines.${n}.${path}`;
    },
    read(n) {
      const k = kind.value as Kind;
      const errors: FieldProblem[] = [];
      const need = (input: HTMLInputElement, path: string, what: string) => {
        if (!input.value) errors.push({ path: `lines.${n}.${path}`, message: `enter the ${what}` });
      };
      const after = (from: string, to: string, path: string, what: string) => {
        if (from && to && to < from) errors.push({ path: `lines.${n}.${path}`, message: what });
      };
      if (k === 'subscription') {
        need(startsAt, 'startsAt', 'start date');
        need(endsAt, 'endsAt', 'end date');
        after(startsAt.value, endsAt.value, 'endsAt', 'the end must not be before the start');
        if (care.value)
          after(careEndsAt.value, endsAt.value, 'care.endsAt', 'Care ends with the subscription at the latest');
      }
      if (k === 'perpetual' && care.value) need(careEndsAt, 'care.endsAt', 'Care end date');
      if (k === 'care') {
        need(careEndsAt, 'care.endsAt', 'Care end date');
        after(careStartsAt.value, careEndsAt.value, 'care.endsAt', 'the end must not be before the start');
      }
      const base = { product: product.value, kind: k };
      const careOf = () =>
        care.value
          ? { care: { level: care.value, ...(careEndsAt.value && { endsAt: endOfDay(careEndsAt.value) }) } }
          : {};
      const built =
        k === 'perpetual'
          ? { ...base, quantity: Number(quantity.value), ...careOf() }
          : k === 'subscription'
            ? {
                ...base,
                quantity: Number(quantity.value),
                startsAt: startsAt.value && startOfDay(startsAt.value),
                endsAt: endsAt.value && endOfDay(endsAt.value),
                ...careOf(),
              }
            : {
                ...base,
                care: {
                  level: care.value,
                  ...(careStartsAt.value && { startsAt: startOfDay(careStartsAt.value) }),
                  endsAt: careEndsAt.value && endOfDay(careEndsAt.value),
                },
              };
      return { line: built, errors };
    },
  };
  remove.addEventListener('click', () => onRemove(line));
  return line;
}

const orderLabels = (lines: number): Record<string, string> => {
  const labels: Record<string, string> = {
    'account.id': 'Existing account id',
    'account.create.name': 'New account name',
    'account.create.region': 'Home region',
    'account.create.resellerId': 'Reseller id',
    'admin.email': 'First administrator’s e-mail',
  };
  const names: Record<string, string> = {
    kind: 'kind',
    product: 'product',
    quantity: 'quantity',
    startsAt: 'subscription start',
    endsAt: 'subscription end',
    'care.level': 'Care level',
    'care.startsAt': 'Care start',
    'care.endsAt': 'Care end',
  };
  for (let n = 0; n < lines; n++)
    for (const [path, label] of Object.entries(names))
      labels[`lines.${n}.${path}`] =
        lines === 1 ? label.charAt(0).toUpperCase() + label.slice(1) : `Line ${n + 1}, ${label}`;
  return labels;
};

function previewView(orderId: string, preview: OrderPreview): HTMLElement {
  const target = preview.accountId ? accountLink(preview.accountId) : 'the new account';
  return h(
    'div',
    null,
    h(
      'p',
      null,
      preview.alreadyDeposited
        ? ['Order ', orderId, ' is already deposited into ', target, '; it holds:']
        : ['After order ', orderId, ', ', target, ' will hold:'],
    ),
    table(
      `Preview of order ${orderId}`,
      ['Product', 'Capacity now', 'Kind', 'Care', 'Subscription ends', 'Later changes'],
      preview.products.map((p) => [
        name(p.product),
        String(p.capacity),
        p.kind,
        p.care ? `${p.care.level} until ${day(p.care.expiresAt)}` : '—',
        day(p.subscriptionEndsAt),
        p.changes.length === 0
          ? '—'
          : p.changes
              .filter((c, i, all) => i === 0 || c.capacity !== all[i - 1]!.capacity)
              .map((c) => `from ${day(c.at)}: ${c.capacity}`)
              .join('; '),
      ]),
      'The account will hold no licences.',
    ),
  );
}

/** The order form: as many lines as the order has, a preview, then the deposit. */
export function orderFormSection(): HTMLElement {
  const result = announced();
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
  const accountName = h('input', { type: 'text' });
  const region = select([
    ['eu', 'EU'],
    ['us', 'US'],
  ]);
  const resellerId = h('input', { type: 'text', placeholder: 'optional', spellcheck: 'false' });
  const adminEmail = h('input', { type: 'email', placeholder: 'optional', autocomplete: 'off' });
  const existingBox = h('div', null, field('Existing account id', accountId, 'account.id'));
  const createBox = h(
    'div',
    { hidden: true, class: 'grid' },
    field('New account name', accountName, 'account.create.name'),
    field('Home region', region, 'account.create.region'),
    field('Reseller id', resellerId, 'account.create.resellerId', 'An approved reseller’s id.'),
    field('First administrator’s e-mail', adminEmail, 'admin.email', 'Invited to sign in for the new account.'),
  );
  target.addEventListener('change', () => {
    existingBox.hidden = target.value !== 'existing';
    createBox.hidden = target.value !== 'create';
  });

  const lines: LineForm[] = [];
  const linesBox = h('div', { class: 'stack' });
  const renumber = () => {
    for (const [n, l] of lines.entries()) l.renumber(n, lines.length === 1);
  };
  const addLine = () => {
    const line = lineForm((gone) => {
      lines.splice(lines.indexOf(gone), 1);
      gone.box.remove();
      renumber();
      lines[0]?.box.querySelector('select')?.focus();
    });
    lines.push(line);
    linesBox.append(line.box);
    renumber();
    return line;
  };
  addLine();
  const add = h('button', { type: 'button', class: 'secondary' }, 'Add a line');
  add.addEventListener('click', () => addLine().box.querySelector('select')?.focus());

  const form = h('form', { class: 'stack', 'aria-label': 'Deposit an order' });
  form.noValidate = true;
  /** The body as the API takes it; the dates checked here first, named beside their fields. */
  const body = () => {
    const read = lines.map((l, n) => l.read(n));
    const errors = read.flatMap((r) => r.errors);
    if (errors.length > 0) throw new ApiError({ status: 400, title: 'Check the order', errors });
    const account =
      target.value === 'existing'
        ? { id: accountId.value.trim() }
        : {
            create: {
              name: accountName.value,
              region: region.value,
              ...(resellerId.value.trim() && { resellerId: resellerId.value.trim() }),
            },
          };
    const admin =
      target.value === 'create' && adminEmail.value.trim() ? { admin: { email: adminEmail.value.trim() } } : {};
    return { account, lines: read.map((r) => r.line), ...admin };
  };
  const path = () => `/v1/ops/orders/${encodeURIComponent(orderId.value.trim())}`;
  const run = (action: () => Promise<void>) => async (event?: Event) => {
    event?.preventDefault();
    const buttons = [...form.querySelectorAll<HTMLButtonElement>('.actions button')];
    for (const b of buttons) b.disabled = true;
    clearError(form);
    try {
      await action();
    } catch (error) {
      showError(form, error, orderLabels(lines.length));
      form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  };
  const preview = run(async () => {
    const answer = await api<OrderPreview>('POST', `${path()}/preview`, body());
    showIn(result, previewView(orderId.value.trim(), answer));
  });
  const deposit = run(async () => {
    const r = await api<OrderResult>('PUT', path(), body());
    showIn(
      result,
      h(
        'p',
        null,
        `Order ${r.orderId} deposited into `,
        accountLink(r.accountId),
        r.accountCreated ? ' (new account)' : '',
        '.',
      ),
    );
  });
  form.addEventListener('submit', preview);
  const depositButton = h('button', { type: 'button' }, 'Deposit order');
  depositButton.addEventListener('click', () => void deposit());
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
    linesBox,
    add,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'secondary' }, 'Preview'), depositButton),
    h('div', { class: 'form-error', role: 'alert' }),
  );
  return section('Deposit an order', form, result);
}
