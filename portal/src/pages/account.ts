/**
 * The Smart Account: products and terms, installations (edit allocation, deactivate, last poll),
 * activation keys, offline activation, telemetry, the Presence Service (./presence.ts), findings.
 */
import { publishedList as published, type PublishedRow } from '../../../lambdas/core/telemetry/published-list';

const publishedList: readonly PublishedRow[] = published;
import { api } from '../api';
import { field, h, replace } from '../dom';
import type { Session } from '../session';
import { nearestEnd, productNames, products, termState } from '../terms';
import {
  careText,
  entitlementRows,
  installationShortfallText,
  shortfallByInstallation,
  shortfallText,
  type EntitlementLine,
} from '../entitlements';
import { lastPollText } from '../last-poll';
import { autoReleaseText, staleBannerText, staleNoticeText } from '../stale';
import { telemetryStatus, telemetryStatusText } from '../telemetry-status';
import { homeRegionNotice } from '../regions';
import { activationKeyList, createdKeyView, type CreatedKey } from './activation-keys';
import { auditSection } from './audit';
import { closedBanner, closureSection } from './closure';
import { presenceSection } from './presence';
import { termsNoticeSection } from './terms';
import { usersSection } from './users';
import { accountResellerSection } from './resellers';
import {
  clearError,
  dateTime,
  day,
  download,
  readJsonFile,
  section,
  sectionLoader,
  showError,
  submitting,
  table,
} from '../ui';
import { keyAllocation, orderFindings, sectionHref, sectionSlug, telemetryOffConsequences } from '../account-sections';
import { ApiError } from '../problem';

interface Pool {
  product: string;
  capacity: number;
  allocated: number;
  free: number;
  kind: 'perpetual' | 'subscription';
  expiresAt?: string;
  care?: { level: string; expiresAt: string };
  /** more allocated than the entitlements cover: kept until enforcedAt, then the newest installations lose it */
  shortfall?: { quantity: number; enforcedAt: string };
  entitlements?: EntitlementLine[];
}
interface Installation {
  installationId: string;
  status: string;
  allocation: Record<string, number>;
  nodes: string[];
  suiteVersion: string;
  activatedAt: string;
  deactivatedAt?: string;
  /** a poll recorded at most once an hour, a telemetry request once in 6 hours; null: none recorded (or deactivated) */
  lastPollAt?: string | null;
  /** active and not heard from for longer than the cloud's staleAfterDays */
  stale?: boolean;
}
export interface Account {
  accountId: string;
  name: string;
  region: 'eu' | 'us';
  resellerId?: string;
  telemetry: { enabled: boolean };
  products: Pool[];
  installations: Installation[];
  /** the automatic release of stale installations (off unless the account opted in) */
  staleRelease?: { enabled: boolean; afterDays: number };
}
interface Finding {
  findingId: string;
  installationId: string;
  ruleId: string;
  subject: string;
  severity: string;
  status: string;
  openedAt: string;
  updatedAt: string;
  evidence: unknown;
  /** the finding in words (computed by the findings routes) */
  title?: string;
  message?: string;
  nextStep?: string;
}
interface Health {
  installationId: string;
  lastBeatAt: string | null;
  openFindings: unknown[];
}

/** The installations' telemetry, which loads after the account (undefined until then) and may fail on its own. */
interface TelemetryView {
  enabled: boolean;
  /** last beat per installation; undefined while loading, null when the health call failed */
  lastBeat: Map<string, string | null> | undefined | null;
  /** re-draws the installations' telemetry cells from this view */
  redraw: () => void;
}

/**
 * `notice`: what the last action on the page did, shown (and focused) after the page is read again;
 * `sectionId`: the section the address names (`#/accounts/X/findings`), brought into view.
 * The account itself decides the page; findings and the installations' telemetry load on their own.
 */
export async function accountPage(
  root: HTMLElement,
  session: Session,
  accountId: string,
  setActing: (text: string) => void,
  notice?: string,
  sectionId?: string,
): Promise<void> {
  const account = await api<Account>('GET', `/v1/accounts/${accountId}`);
  setActing(`${account.name} (${account.accountId}, ${account.region.toUpperCase()})`);
  const mayManage = session.role !== 'support';
  // A reload keeps the section the address names now (the in-page links change it without a render).
  const reload = (text: string) =>
    accountPage(
      root,
      session,
      accountId,
      setActing,
      text,
      /^#\/accounts\/[^/]+\/([a-z0-9-]+)/.exec(location.hash)?.[1],
    );
  const noticeBox = notice ? h('p', { class: 'notice', role: 'status', tabindex: '-1' }, notice) : null;
  const telemetry: TelemetryView = { enabled: account.telemetry.enabled, lastBeat: undefined, redraw: () => undefined };
  const sectionNav = h('nav', { 'aria-label': 'Sections of this account', class: 'section-nav' });

  replace(
    root,
    h('h1', null, account.name),
    h(
      'p',
      { class: 'meta' },
      `Smart Account ${account.accountId} · home region ${account.region.toUpperCase()}`,
      account.resellerId ? ` · reseller ${account.resellerId}` : '',
    ),
    homeRegionNotice(account.region),
    closedBanner(account.accountId),
    termsNoticeSection(session, account.accountId),
    productsSection(account),
    installationsSection(account, telemetry, mayManage, reload, noticeBox),
    mayManage ? activationKeySection(account) : null,
    mayManage ? offlineSection(account) : null,
    telemetrySection(account, telemetry, mayManage),
    mayManage ? presenceSection(account.accountId, account.region) : null,
    findingsSection(account.accountId, session.role === 'support' || session.role === 'backoffice'),
    usersSection(session, account.accountId, mayManage),
    accountResellerSection(
      account.accountId,
      account.resellerId,
      session.role === 'customer' || session.role === 'backoffice',
    ),
    auditSection(account.accountId),
    closureSection(session, account, reload),
  );
  // The page's meta line is followed by the links to its sections, built from the sections as rendered.
  root.querySelector('.meta')?.after(sectionNav);
  fillSectionNav(root, sectionNav, account.accountId);
  loadHealth(account.accountId, telemetry, root);
  noticeBox?.focus();
  if (sectionId && !noticeBox) showSection(root, sectionId);
}

/** One link per section on the page (`#/accounts/X/<slug>`): followed without a render, the address keeps it. */
function fillSectionNav(root: HTMLElement, nav: HTMLElement, accountId: string): void {
  const headings = [...root.querySelectorAll<HTMLElement>(':scope > section > h2[id^="s-"]')];
  const links = headings.map((heading) => {
    const slug = sectionSlug(heading.id);
    const link = h('a', { href: sectionHref(accountId, slug) }, heading.textContent ?? slug);
    link.addEventListener('click', (event) => {
      event.preventDefault();
      history.replaceState(history.state, '', link.href);
      showSection(root, slug, true);
    });
    return h('li', null, link);
  });
  replace(nav, h('ul', null, links));
}

/**
 * Scrolls the named section to the top and, when asked, focuses its heading. Sections above it still
 * loading change the page's height, so it is kept in view until they settle or the person scrolls.
 */
function showSection(root: HTMLElement, slug: string, focus = false): void {
  const heading = root.querySelector<HTMLElement>(`#s-${CSS.escape(slug)}`);
  const target = heading?.closest('section');
  if (!heading || !target) return;
  heading.tabIndex = -1;
  target.scrollIntoView({ block: 'start' });
  if (focus) heading.focus({ preventScroll: true });
  const keep = new ResizeObserver(() => target.scrollIntoView({ block: 'start' }));
  const stop = () => {
    keep.disconnect();
    for (const type of ['wheel', 'touchstart', 'keydown', 'mousedown'] as const) removeEventListener(type, stop);
  };
  keep.observe(root);
  for (const type of ['wheel', 'touchstart', 'keydown', 'mousedown'] as const)
    addEventListener(type, stop, { passive: true });
  setTimeout(stop, 5_000);
}

/** The installations' last beats: the table's telemetry cells say "Loading…", then the beats, or that they could not be loaded. */
function loadHealth(accountId: string, telemetry: TelemetryView, root: HTMLElement): void {
  const alert = root.querySelector<HTMLElement>('#installations-telemetry-error');
  const load = () => {
    telemetry.lastBeat = undefined;
    telemetry.redraw();
    if (alert) alert.hidden = true;
    api<{ installations: Health[] }>('GET', `/v1/accounts/${accountId}/installations/health`)
      .then((health) => {
        telemetry.lastBeat = new Map(health.installations.map((i) => [i.installationId, i.lastBeatAt]));
        telemetry.redraw();
      })
      .catch((error: unknown) => {
        telemetry.lastBeat = null;
        telemetry.redraw();
        if (!alert) return;
        alert.hidden = false;
        showError(alert, error);
        const words = alert.querySelector('.form-error');
        words?.prepend('The installations’ telemetry could not be loaded: ');
      });
  };
  alert?.querySelector('button')?.addEventListener('click', () => load());
  load();
}

function productsSection(account: Account): HTMLElement {
  const now = new Date();
  const shortfalls = account.products.flatMap((p) => {
    const text = shortfallText(p, now);
    return text ? [h('p', { class: 'shortfall-notice', 'data-product': p.product }, text)] : [];
  });
  const rows = account.products.map((p) => {
    const end = nearestEnd(p);
    const state = termState(end);
    const endCell = h(
      'span',
      { class: `term term-${state}` },
      day(end),
      state === 'expiring' ? ' (expiring soon)' : state === 'expired' ? ' (expired)' : '',
    );
    return [
      productNames[p.product] ?? p.product,
      p.kind,
      String(p.capacity),
      String(p.allocated),
      String(p.free),
      careText(p),
      p.kind === 'subscription' ? day(p.expiresAt) : 'perpetual',
      endCell,
    ];
  });
  return section(
    'Products',
    shortfalls,
    table(
      'Products on this Smart Account',
      ['Product', 'Kind', 'Capacity', 'Allocated', 'Free', 'Care', 'Subscription end', 'Next term end'],
      rows,
      'No licences deposited yet.',
    ),
    account.products.map((p) => termsTable(p)),
  );
}

/** Each order line of the product as bought, with where it stands now: the capacity is what the active ones give. */
function termsTable(p: Pool): HTMLElement | null {
  const name = productNames[p.product] ?? p.product;
  if ((p.entitlements ?? []).length === 0) return null;
  return h(
    'div',
    { class: 'terms' },
    h('h3', null, `Terms of ${name}: capacity now ${p.capacity}, Care: ${careText(p)}`),
    table(
      `Terms of ${name}`,
      ['Quantity', 'Kind', 'Starts', 'Ends', 'Care', 'Status'],
      entitlementRows(p),
      'No terms.',
    ),
  );
}

const allocationText = (allocation: Record<string, number>) =>
  Object.entries(allocation)
    .map(([p, n]) => `${productNames[p] ?? p} ×${n}`)
    .join(', ') || 'no licences';

function installationsSection(
  account: Account,
  telemetry: TelemetryView,
  mayManage: boolean,
  reload: (notice: string) => Promise<void>,
  notice: HTMLElement | null,
): HTMLElement {
  const now = new Date();
  // One edit form or confirmation at a time opens here, below the table, for the button that opened it.
  const panel = h('div', { id: 'installation-panel' });
  let opener: HTMLButtonElement | undefined;
  const close = () => {
    panel.replaceChildren();
    opener?.setAttribute('aria-expanded', 'false');
    opener?.focus();
    opener = undefined;
  };
  const open = (button: HTMLButtonElement, content: HTMLElement, focus: HTMLElement) => {
    opener?.setAttribute('aria-expanded', 'false');
    opener = button;
    button.setAttribute('aria-expanded', 'true');
    content.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') close();
    });
    replace(panel, content);
    focus.focus();
  };

  const losses = shortfallByInstallation(account.products, account.installations);
  // The two telemetry cells of each row, drawn from the page's telemetry view as it loads and changes.
  const telemetryCells: (() => void)[] = [];
  telemetry.redraw = () => {
    for (const draw of telemetryCells) draw();
  };
  const rows = account.installations.map((i) => {
    const active = i.status === 'active';
    const beatCell = h('span', { class: 'last-beat' });
    const statusCell = h('span');
    const draw = () => {
      const beats = telemetry.lastBeat;
      if (beats === undefined) {
        replace(beatCell, 'Loading…');
        statusCell.className = 'telemetry';
        replace(statusCell, 'Loading…');
        return;
      }
      if (beats === null) {
        // Never "no beat yet" when the beats could not be read: that would reassure falsely.
        replace(beatCell, 'not loaded');
        statusCell.className = 'telemetry telemetry-unknown';
        replace(
          statusCell,
          telemetry.enabled || i.status !== 'active' ? 'unknown (not loaded)' : telemetryStatusText.off,
        );
        return;
      }
      const lastBeatAt = beats.get(i.installationId);
      const status = telemetryStatus({ status: i.status, lastBeatAt }, telemetry.enabled, new Date());
      replace(beatCell, dateTime(lastBeatAt));
      statusCell.className = `telemetry telemetry-${status}`;
      replace(statusCell, telemetryStatusText[status]);
    };
    telemetryCells.push(draw);
    draw();
    const cells: (string | HTMLElement)[] = [
      // its page: findings in words, charts, usage against licensed capacity
      h(
        'a',
        {
          href: `#/accounts/${encodeURIComponent(account.accountId)}/installations/${encodeURIComponent(i.installationId)}`,
        },
        h('code', null, i.installationId),
      ),
      account.region.toUpperCase(),
      i.nodes.join(', '),
      i.suiteVersion,
      h('span', { class: `status status-${i.status}` }, i.status),
      ((shortfall) =>
        shortfall
          ? h('div', null, allocationText(i.allocation), h('p', { class: 'shortfall-notice' }, shortfall))
          : allocationText(i.allocation))(installationShortfallText(losses.get(i.installationId), now)),
      active
        ? ((lastPoll) => {
            const staleNotice = staleNoticeText(i);
            return staleNotice ? h('div', null, lastPoll, h('p', { class: 'stale-notice' }, staleNotice)) : lastPoll;
          })(
            i.lastPollAt
              ? h('time', { datetime: i.lastPollAt }, lastPollText(i.lastPollAt, now))
              : lastPollText(null, now),
          )
        : '—',
      beatCell,
      statusCell,
    ];
    if (mayManage) {
      if (!active) cells.push('—');
      else {
        // The visible words start the accessible name (WCAG 2.5.3); the id tells the rows' buttons apart.
        const edit = h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            'aria-label': `Edit allocation of ${i.installationId}`,
            'aria-expanded': 'false',
            'aria-controls': 'installation-panel',
          },
          'Edit allocation',
        );
        const deactivate = h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            'aria-label': `Deactivate ${i.installationId}`,
            'aria-expanded': 'false',
            'aria-controls': 'installation-panel',
          },
          'Deactivate',
        );
        edit.addEventListener('click', () => {
          const form = allocationForm(account, i, close, reload);
          open(edit, form, form.querySelector('input') ?? form);
        });
        deactivate.addEventListener('click', () => {
          const form = deactivationForm(account.accountId, i, close, reload);
          open(deactivate, form, form.querySelector('h3')!);
        });
        // A stale installation's release is its deactivation, offered under the words that fit.
        const actions: HTMLElement[] = [edit, deactivate];
        if (i.stale) {
          const release = h(
            'button',
            {
              type: 'button',
              'aria-label': `Release ${i.installationId}`,
              'aria-expanded': 'false',
              'aria-controls': 'installation-panel',
            },
            'Release',
          );
          release.addEventListener('click', () => {
            const form = deactivationForm(account.accountId, i, close, reload, 'release');
            open(release, form, form.querySelector('h3')!);
          });
          actions.unshift(release);
        }
        cells.push(h('div', { class: 'row' }, ...actions));
      }
    }
    return cells;
  });
  const staleBanner = staleBannerText(account.installations);
  return section(
    'Installations',
    notice,
    staleBanner && h('p', { class: 'stale-notice' }, staleBanner),
    h(
      'p',
      { class: 'hint' },
      mayManage
        ? 'Change an installation’s allocation within the free capacity, or deactivate it here or from the suite itself: its licences go back to the pool. '
        : 'An installation is deactivated from the suite itself or by the account’s administrators. ',
      'The last licence poll is recorded at most once an hour, and telemetry counts as one at most every 6 hours; the last beat is exact.',
    ),
    table(
      'Installations',
      [
        'Installation',
        'Region',
        'Nodes',
        'Suite version',
        'Status',
        'Licences',
        'Last poll',
        'Last telemetry',
        'Telemetry',
        ...(mayManage ? ['Actions'] : []),
      ],
      rows,
      'No installation activated yet.',
    ),
    h(
      'div',
      { id: 'installations-telemetry-error', class: 'stack', hidden: true },
      h('div', { class: 'form-error', role: 'alert' }),
      h(
        'button',
        { type: 'button', class: 'secondary', 'aria-label': 'Retry loading the installations’ telemetry' },
        'Retry',
      ),
    ),
    panel,
    account.staleRelease ? staleReleaseForm(account.accountId, account.staleRelease, mayManage, reload) : null,
  );
}

/** The opt-in to the automatic release of stale installations: on or off, and after how many days. */
function staleReleaseForm(
  accountId: string,
  setting: { enabled: boolean; afterDays: number },
  mayManage: boolean,
  reload: (notice: string) => Promise<void>,
): HTMLElement {
  const status = h('p', { class: 'hint' }, autoReleaseText(setting));
  if (!mayManage) return h('div', { class: 'stack' }, h('h3', null, 'Automatic release'), status);
  const form = h('form', { class: 'stack', 'aria-label': 'Automatic release' });
  const enabled = h('input', { type: 'checkbox', checked: setting.enabled });
  const afterDays = h('input', {
    type: 'number',
    min: '14',
    max: '365',
    step: '1',
    inputmode: 'numeric',
    value: String(setting.afterDays),
  });
  form.addEventListener(
    'submit',
    submitting(
      form,
      async () => {
        // An empty or out-of-range number is the service's to refuse, in words beside the field.
        const saved = await api<{ enabled: boolean; afterDays: number }>(
          'PATCH',
          `/v1/accounts/${accountId}/stale-release`,
          { enabled: enabled.checked, afterDays: afterDays.value.trim() === '' ? null : Number(afterDays.value) },
        );
        await reload(autoReleaseText(saved));
      },
      { afterDays: 'Days without a licence poll' },
    ),
  );
  form.append(
    h('h3', null, 'Automatic release'),
    status,
    h('label', null, enabled, ' Release stale installations automatically'),
    field('Days without a licence poll', afterDays, 'afterDays', '14 to 365; the notice comes 7 days before'),
    h('div', { class: 'row' }, h('button', { type: 'submit', class: 'secondary' }, 'Save automatic release')),
    h('div', { class: 'form-error', role: 'alert' }),
  );
  return form;
}

/** The installation's new full allocation: one labelled number per product the account holds. */
function allocationForm(
  account: Account,
  installation: Installation,
  close: () => void,
  reload: (notice: string) => Promise<void>,
): HTMLFormElement {
  const id = installation.installationId;
  const form = h('form', { class: 'stack', 'aria-label': `Edit allocation of ${id}` });
  const inputs = new Map<string, HTMLInputElement>();
  const labels: Record<string, string> = {};
  const fields = account.products.map((p) => {
    const name = productNames[p.product] ?? p.product;
    const current = installation.allocation[p.product] ?? 0;
    const input = h('input', {
      type: 'number',
      min: '0',
      max: String(current + p.free),
      step: '1',
      inputmode: 'numeric',
      value: String(current),
    });
    inputs.set(p.product, input);
    labels[`allocation.${p.product}`] = name;
    return field(name, input, `allocation.${p.product}`, `now ${current}; ${p.free} more free`);
  });
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  cancel.addEventListener('click', close);
  form.addEventListener(
    'submit',
    submitting(
      form,
      async () => {
        // The whole allocation is sent: a product at 0 goes back to the pool. An empty field is the service's to refuse, in words.
        const allocation: Record<string, number | null> = {};
        for (const [product, input] of inputs)
          allocation[product] = input.value.trim() === '' ? null : Number(input.value);
        const saved = await api<{ installationId: string; allocation: Record<string, number> }>(
          'PATCH',
          `/v1/accounts/${account.accountId}/installations/${encodeURIComponent(id)}`,
          { allocation },
        );
        await reload(
          `Allocation of ${id} saved: ${allocationText(saved.allocation)}. The installation gets its new licence at its next poll.`,
        );
      },
      labels,
    ),
  );
  form.append(
    h('h3', null, `Allocation of ${id}`),
    h(
      'p',
      { class: 'hint' },
      'Enter the allocation in full: 0 gives a product back to the pool; raising takes free capacity only.',
    ),
    h('div', { class: 'grid' }, fields),
    h('div', { class: 'row' }, h('button', { type: 'submit' }, 'Save allocation'), cancel),
    h('div', { class: 'form-error', role: 'alert' }),
  );
  return form;
}

/** The confirmation step before a deactivation (or a stale installation's release): what it does, then Yes or Cancel. */
function deactivationForm(
  accountId: string,
  installation: Installation,
  close: () => void,
  reload: (notice: string) => Promise<void>,
  intent: 'deactivate' | 'release' = 'deactivate',
): HTMLFormElement {
  const id = installation.installationId;
  const verb = intent === 'release' ? 'Release' : 'Deactivate';
  const form = h('form', { class: 'stack', 'aria-label': `${verb} ${id}` });
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  cancel.addEventListener('click', close);
  form.addEventListener(
    'submit',
    submitting(form, async () => {
      await api('DELETE', `/v1/accounts/${accountId}/installations/${encodeURIComponent(id)}`);
      await reload(
        `Installation ${id} is deactivated: its licences are back in the pool, and the suite’s next poll is refused.`,
      );
    }),
  );
  form.append(
    h('h3', { tabindex: '-1' }, intent === 'release' ? `Release the licences of ${id}?` : `Deactivate ${id}?`),
    h(
      'p',
      null,
      `Its licences (${allocationText(installation.allocation)}) go back to the account’s pool, and the suite on ${installation.nodes.join(', ')} is no longer licensed from its next poll. It takes a new activation to license it again.`,
    ),
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'submit' }, intent === 'release' ? 'Yes, release' : 'Yes, deactivate'),
      cancel,
    ),
    h('div', { class: 'form-error', role: 'alert' }),
  );
  return form;
}

function activationKeySection(account: Account): HTMLElement {
  const inputs = new Map<string, HTMLInputElement>();
  const withCapacity = account.products.filter((p) => p.capacity > 0);
  for (const p of withCapacity)
    inputs.set(
      p.product,
      h('input', {
        type: 'number',
        min: '0',
        max: String(p.free),
        inputmode: 'numeric',
        value: '',
        placeholder: `all ${p.free} free`,
      }),
    );
  const days = h('input', { type: 'number', min: '1', max: '365', value: '30', inputmode: 'numeric' });
  const result = h('div', { class: 'result', 'aria-live': 'polite' });
  const form = h('form', { class: 'stack', 'aria-label': 'Create an activation key' });
  const keys = activationKeyList(account.accountId, true);
  const labels: Record<string, string> = { expiresInDays: 'Valid for (days)' };
  for (const p of withCapacity) labels[`allocation.${p.product}`] = productNames[p.product] ?? p.product;
  form.addEventListener(
    'submit',
    submitting(
      form,
      async () => {
        // The hint's promise: empty gives all free, 0 leaves the product out (account-sections.ts).
        const chosen = keyAllocation(
          withCapacity.map((p) => ({ product: p.product, value: inputs.get(p.product)!.value, free: p.free })),
        );
        if ('error' in chosen) throw new ApiError({ status: 400, errors: [chosen.error] });
        const { allocation } = chosen;
        const body = { ...(allocation && { allocation }), expiresInDays: Number(days.value) };
        const created = await api<CreatedKey>('POST', `/v1/accounts/${account.accountId}/activation-keys`, body);
        replace(result, createdKeyView(created));
        void keys.reload();
      },
      labels,
    ),
  );
  form.append(
    h(
      'p',
      { class: 'hint' },
      'Leave every product empty to give the key all free capacity; or enter a number per product: 0 leaves it out, and a product left empty then gets all of its free licences.',
    ),
    h(
      'div',
      { class: 'grid' },
      withCapacity.map((p) =>
        field(productNames[p.product] ?? p.product, inputs.get(p.product)!, `allocation.${p.product}`),
      ),
    ),
    field('Valid for (days)', days, 'expiresInDays'),
    h('button', { type: 'submit' }, 'Create activation key'),
    h('div', { class: 'form-error', role: 'alert' }),
  );
  return section('Activation keys', form, result, keys.element);
}

function offlineSection(account: Account): HTMLElement {
  const file = h('input', { type: 'file', accept: '.json,application/json' });
  const form = h('form', { class: 'stack', 'aria-label': 'Offline activation' });
  const result = h('div', { class: 'result', 'aria-live': 'polite' });
  form.addEventListener(
    'submit',
    submitting(form, async () => {
      const request = await readJsonFile(file);
      const response = await api<{ installationId: string }>(
        'POST',
        `/v1/accounts/${account.accountId}/offline-activations`,
        request,
      );
      const name = `ucx-activation-response-${response.installationId}.json`;
      download(name, response);
      const again = h('button', { type: 'button', class: 'secondary' }, `Download ${name} again`);
      again.addEventListener('click', () => download(name, response));
      replace(
        result,
        h(
          'p',
          null,
          `Installation ${response.installationId} activated. Load the response file into the suite's agent.`,
        ),
        again,
      );
    }),
  );
  form.append(
    h(
      'p',
      { class: 'hint' },
      'For a server without Internet access: the agent writes a signed request file; upload it here and carry the response file back.',
    ),
    field('Request file from the agent', file, ''),
    h('button', { type: 'submit' }, 'Upload and activate'),
    h('div', { class: 'form-error', role: 'alert' }),
  );
  return section('Offline activation', form, result);
}

function telemetrySection(account: Account, telemetry: TelemetryView, mayManage: boolean): HTMLElement {
  const status = h('p', { 'aria-live': 'polite', class: 'telemetry-status' });
  const toggle = h('input', {
    type: 'checkbox',
    role: 'switch',
    checked: account.telemetry.enabled,
    disabled: !mayManage,
  });
  const show = (enabled: boolean) =>
    (status.textContent = enabled
      ? 'Telemetry is on: installations send the data listed here.'
      : 'Telemetry is off: installations send nothing; the cloud refuses their telemetry.');
  show(account.telemetry.enabled);
  const box = h('div', { class: 'stack' });
  const save = async (enabled: boolean) => {
    toggle.disabled = true;
    try {
      const saved = await api<{ enabled: boolean }>('PATCH', `/v1/accounts/${account.accountId}/telemetry`, {
        enabled,
      });
      toggle.checked = saved.enabled;
      show(saved.enabled);
      // The installations table says at once what the switch now means for each installation.
      telemetry.enabled = saved.enabled;
      telemetry.redraw();
    } catch (error) {
      toggle.checked = !enabled;
      showError(box, error);
    } finally {
      toggle.disabled = !mayManage;
    }
  };
  // Switching off is asked first, saying what stops; switching on is not.
  const confirmTitle = h('h3', { tabindex: '-1', id: 'telemetry-off-title' }, 'Switch telemetry off?');
  const yes = h('button', { type: 'submit' }, 'Yes, switch telemetry off');
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const confirmForm = h(
    'form',
    { class: 'stack confirm-panel', 'aria-labelledby': confirmTitle.id, hidden: true },
    confirmTitle,
    h('p', null, 'What stops when it is off:'),
    h(
      'ul',
      null,
      telemetryOffConsequences.map((line) => h('li', null, line)),
    ),
    h('div', { class: 'row' }, yes, cancel),
  );
  const closeConfirm = () => {
    confirmForm.hidden = true;
    toggle.focus();
  };
  cancel.addEventListener('click', closeConfirm);
  confirmForm.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') closeConfirm();
  });
  confirmForm.addEventListener('submit', (event) => {
    event.preventDefault();
    confirmForm.hidden = true;
    toggle.checked = false;
    void save(false).then(() => toggle.focus());
  });
  toggle.addEventListener('change', () => {
    if (toggle.checked) {
      confirmForm.hidden = true;
      void save(true);
      return;
    }
    // Still on until confirmed.
    toggle.checked = true;
    clearError(box);
    confirmForm.hidden = false;
    confirmTitle.focus();
  });
  box.append(
    h('label', { class: 'switch' }, toggle, ' Send telemetry from this account’s installations'),
    status,
    confirmForm,
    h('div', { class: 'form-error', role: 'alert' }),
  );
  const list = h(
    'details',
    { class: 'published' },
    h('summary', null, 'What is collected (the terms’ published list)'),
    publishedList.map((row) =>
      h(
        'div',
        { class: 'published-row' },
        h('h3', null, `${row.beat}: ${row.category}`),
        row.lead ? h('p', null, row.lead) : null,
        h(
          'ul',
          null,
          row.items.map((i) => h('li', null, i.text)),
        ),
        row.note ? h('p', { class: 'hint' }, row.note) : null,
      ),
    ),
  );
  list.open = true;
  return section('Telemetry', h('div', { class: 'split' }, box, list));
}

/** The account's findings, loaded on their own: open first, the most severe, the newest; a failed call says so. */
function findingsSection(accountId: string, staff: boolean): HTMLElement {
  return section(
    'Findings',
    sectionLoader(
      'findings',
      () => api<{ findings: Finding[] }>('GET', `/v1/accounts/${accountId}/findings?status=all`),
      ({ findings }) =>
        table(
          'Findings on this account',
          ['Finding', 'Severity', 'Status', 'Installation', 'Opened'],
          orderFindings(findings).map((f) => [
            findingInWords(f, staff),
            h('span', { class: `severity severity-${f.severity}` }, f.severity),
            f.status,
            h('code', null, f.installationId),
            dateTime(f.openedAt),
          ]),
          'No findings: nothing needs attention.',
        ),
    ),
  );
}

/** The finding's title (a link for staff), its sentence and next step; the evidence collapsed below. */
function findingInWords(f: Finding, staff: boolean): HTMLElement {
  const title = f.title ?? f.subject;
  return h(
    'div',
    { class: 'finding-words' },
    staff ? h('a', { href: `#/installations/${f.installationId}` }, title) : h('strong', null, title),
    f.message ? h('p', { class: 'finding-message' }, f.message) : null,
    f.nextStep ? h('p', { class: 'finding-next' }, 'Next step: ', f.nextStep) : null,
    h('details', null, h('summary', null, 'Evidence'), h('pre', null, JSON.stringify(f.evidence, null, 2))),
  );
}

/** A reseller's or staff member's way into an account by id. */
export function openAccountForm(navigate: (hash: string) => void): HTMLElement {
  const id = h('input', {
    type: 'text',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'acc_…',
    pattern: 'acc_[a-z0-9]{8,32}',
    required: true,
  });
  const form = h(
    'form',
    { class: 'row', 'aria-label': 'Open an account' },
    field('Smart Account id', id),
    h('button', { type: 'submit' }, 'Open account'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    navigate(`#/accounts/${id.value.trim()}`);
  });
  return form;
}

export { products };
