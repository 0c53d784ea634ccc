/**
 * Support's start: the fleet overview (open findings a day for 30 days, the noisiest rules, the
 * silent, the installations by suite release and SQL edition), each number a link to the list
 * filtered by it; and the installations across accounts, filtered by open-finding severity and
 * rule, suite release, SQL edition, Care level and hours of silence. The filters live in the URL
 * (`#/support?severity=critical&rule=dns-single`), so a number's link, a reload and the back button
 * show the same list. The rows carry the customer's name, sort by severity or age, mark
 * acknowledged findings and can hide them; an account homed in the other region links there.
 */
import { api } from '../api';
import { field, h, replace } from '../dom';
import { otherPortalLink, thisRegion } from '../regions';
import { dateTime, section, sectionLoader, showError, submitting, table } from '../ui';

interface OpenFinding {
  findingId: string;
  ruleId: string;
  severity: 'info' | 'warning' | 'critical';
  openedAt: string;
  acknowledged?: boolean;
}
interface Row {
  installationId: string;
  accountId: string;
  accountName?: string | null;
  accountRegion?: 'eu' | 'us' | null;
  lastBeatAt: string | null;
  careLevel: string | null;
  openFindings: OpenFinding[];
}
type Severity = 'critical' | 'warning' | 'info';
interface Overview {
  from: string;
  to: string;
  days: { day: string; bySeverity: Record<Severity, number>; byRule: Record<string, number> }[];
  open: { bySeverity: Record<Severity, number>; byRule: { ruleId: string; count: number }[] };
  noisiestRules: { ruleId: string; opened: number; resolved: number }[];
  silent: { hours: number; count: number; atLeast: boolean };
  installations: {
    bySuiteRelease: { release: string; count: number }[];
    bySqlEdition: { edition: string; count: number }[];
  };
}

/** The list's filters, as the URL after `#/support?` carries them. */
const FILTERS = [
  'severity',
  'rule',
  'suiteRelease',
  'sqlEdition',
  'care',
  'silentHours',
  'sort',
  'hideAcknowledged',
] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

export function filtersOfHash(hash = location.hash): Filters {
  const params = new URLSearchParams(hash.split('?')[1] ?? '');
  const filters: Filters = {};
  for (const key of FILTERS) {
    const value = params.get(key);
    if (value) filters[key] = value;
  }
  return filters;
}

/** The support page with these filters: every number of the overview links here. */
export function listHash(filters: Filters): string {
  const params = new URLSearchParams();
  for (const key of FILTERS) if (filters[key]) params.set(key, filters[key]!);
  const query = params.toString();
  return `#/support${query ? `?${query}` : ''}`;
}

const severities: readonly Severity[] = ['critical', 'warning', 'info'];
const rank: Record<Severity, number> = { critical: 3, warning: 2, info: 1 };
const count = (n: number, filters: Filters, label: string) =>
  h('a', { href: listHash(filters), 'aria-label': `${n} ${label}: show them` }, String(n));

/** A bar as wide as its share of the largest, its number beside it as text (never the bar alone). */
function bar(n: number, max: number): HTMLElement {
  const el = h('span', { class: 'bar', 'aria-hidden': 'true' });
  // through the CSSOM: the portal's CSP refuses style attributes
  el.style.width = `${max > 0 ? Math.round((n / max) * 120) / 10 : 0}rem`;
  return el;
}

export function overviewSection(): HTMLElement {
  return section(
    'Fleet overview',
    sectionLoader('fleet overview', () => api<Overview>('GET', '/v1/support/overview'), renderOverview),
  );
}

function renderOverview(o: Overview): HTMLElement {
  const maxRule = Math.max(0, ...o.open.byRule.map((r) => r.count));
  const maxNoise = Math.max(0, ...o.noisiestRules.map((r) => r.opened + r.resolved));
  const maxDay = Math.max(0, ...o.days.map((d) => d.bySeverity.critical + d.bySeverity.warning + d.bySeverity.info));
  return h(
    'div',
    { class: 'stack overview', 'data-testid': 'fleet-overview' },
    h(
      'p',
      { class: 'meta' },
      'Open now: ',
      severities.flatMap((s, i) => [
        i > 0 ? ' · ' : '',
        count(o.open.bySeverity[s], { severity: s }, `open ${s} findings`),
        ` ${s}`,
      ]),
      ' · silent for ',
      String(o.silent.hours),
      ' h: ',
      count(
        o.silent.count,
        { silentHours: String(o.silent.hours) },
        `installations silent for ${o.silent.hours} hours`,
      ),
      o.silent.atLeast ? ' or more' : '',
    ),
    h('h3', null, 'Open findings by rule'),
    table(
      'Open findings by rule',
      ['Rule', 'Open', ''],
      o.open.byRule.map((r) => [
        r.ruleId,
        count(r.count, { rule: r.ruleId }, `open ${r.ruleId} findings`),
        bar(r.count, maxRule),
      ]),
      'No open findings.',
    ),
    h('h3', null, 'Noisiest rules, last 7 days'),
    table(
      'Rules opened and resolved most often in the last 7 days',
      ['Rule', 'Opened', 'Resolved', ''],
      o.noisiestRules.map((r) => [
        r.ruleId,
        count(r.opened, { rule: r.ruleId }, `opened ${r.ruleId} findings`),
        String(r.resolved),
        bar(r.opened + r.resolved, maxNoise),
      ]),
      'No finding opened or resolved in 7 days.',
    ),
    h('h3', null, 'Installations by suite release and SQL Server edition'),
    h(
      'div',
      { class: 'row' },
      table(
        'Installations by suite release',
        ['Suite release', 'Installations'],
        o.installations.bySuiteRelease.map((r) => [
          r.release,
          count(r.count, { suiteRelease: r.release }, `installations on suite ${r.release}`),
        ]),
        'No suite version reported yet.',
      ),
      table(
        'Installations by SQL Server edition',
        ['SQL Server edition', 'Installations'],
        o.installations.bySqlEdition.map((e) => [
          e.edition,
          count(e.count, { sqlEdition: e.edition }, `installations on ${e.edition}`),
        ]),
        'No SQL Server edition reported yet.',
      ),
    ),
    h(
      'details',
      null,
      h('summary', null, `Open findings a day, ${o.from} to ${o.to}`),
      table(
        'Open findings at the end of each day, by severity',
        ['Day', 'Critical', 'Warning', 'Info', ''],
        [...o.days]
          .reverse()
          .map((d) => [
            d.day,
            String(d.bySeverity.critical),
            String(d.bySeverity.warning),
            String(d.bySeverity.info),
            bar(d.bySeverity.critical + d.bySeverity.warning + d.bySeverity.info, maxDay),
          ]),
        'No days yet.',
      ),
    ),
  );
}

/** Most severe open finding first, then the oldest such finding first. */
const worst = (r: Row) => Math.max(0, ...r.openFindings.map((f) => rank[f.severity]));
const oldestOpen = (r: Row) => r.openFindings.map((f) => f.openedAt).sort()[0] ?? '9999';
const sorters: Record<string, (a: Row, b: Row) => number> = {
  severity: (a, b) => worst(b) - worst(a) || oldestOpen(a).localeCompare(oldestOpen(b)),
  age: (a, b) => oldestOpen(a).localeCompare(oldestOpen(b)),
  beat: (a, b) => (a.lastBeatAt ?? '').localeCompare(b.lastBeatAt ?? ''),
};

function accountCell(r: Row): HTMLElement {
  const name = r.accountName ?? r.accountId;
  const here = thisRegion();
  const link = h('a', { href: `#/accounts/${encodeURIComponent(r.accountId)}` }, name);
  if (!here || !r.accountRegion || r.accountRegion === here) return link;
  // Homed in the other region: its pages (findings, activation) are served there.
  return h(
    'span',
    null,
    name,
    ' (',
    otherPortalLink(r.accountRegion, `#/installations/${encodeURIComponent(r.installationId)}`),
    ')',
  );
}

function findingsCell(r: Row, hideAcknowledged: boolean): HTMLElement | string {
  const shown = r.openFindings.filter((f) => !(hideAcknowledged && f.acknowledged));
  if (shown.length === 0) return 'none';
  return h(
    'ul',
    { class: 'plain' },
    shown.map((f) =>
      h(
        'li',
        { 'data-acknowledged': f.acknowledged ? 'true' : 'false' },
        `${f.severity}: ${f.ruleId}`,
        f.acknowledged ? h('span', { class: 'tag' }, ' acknowledged') : null,
      ),
    ),
  );
}

export function fleetSection(navigate: (hash: string) => void): HTMLElement {
  const initial = filtersOfHash();
  const severity = h(
    'select',
    null,
    h('option', { value: '' }, 'Any'),
    h('option', { value: 'info' }, 'info or worse'),
    h('option', { value: 'warning' }, 'warning or worse'),
    h('option', { value: 'critical' }, 'critical'),
  );
  const care = h(
    'select',
    null,
    h('option', { value: '' }, 'Any'),
    ...['platinum', 'gold', 'basic', 'none'].map((c) => h('option', { value: c }, c)),
  );
  const rule = h('input', {
    type: 'text',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'e.g. db-express-cap',
  });
  const silentHours = h('input', { type: 'number', min: '1', step: '1', inputmode: 'numeric' });
  const suiteRelease = h('input', {
    type: 'text',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'e.g. 2025.4',
  });
  const sqlEdition = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const sort = h(
    'select',
    null,
    h('option', { value: 'severity' }, 'Most severe first'),
    h('option', { value: 'age' }, 'Oldest finding first'),
    h('option', { value: 'beat' }, 'Longest silent first'),
  );
  const hideAcknowledged = h('input', { type: 'checkbox' });
  severity.value = initial.severity ?? '';
  care.value = initial.care ?? '';
  rule.value = initial.rule ?? '';
  silentHours.value = initial.silentHours ?? '';
  suiteRelease.value = initial.suiteRelease ?? '';
  sqlEdition.value = initial.sqlEdition ?? '';
  sort.value = initial.sort && initial.sort in sorters ? initial.sort : 'severity';
  hideAcknowledged.checked = initial.hideAcknowledged === 'true';

  const list = h('div', { 'aria-live': 'polite' }, h('p', { class: 'loading' }, 'Loading installations…'));
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'More');
  const rows: Row[] = [];
  let nextCursor: string | null = null;

  const render = () => {
    const hide = hideAcknowledged.checked;
    const visible = rows
      .filter((r) => !hide || r.openFindings.length === 0 || r.openFindings.some((f) => !f.acknowledged))
      .sort(sorters[sort.value] ?? sorters['severity']);
    const cells = visible.map((r) => [
      h('a', { href: `#/installations/${encodeURIComponent(r.installationId)}` }, r.installationId),
      accountCell(r),
      r.careLevel ?? '—',
      dateTime(r.lastBeatAt),
      findingsCell(r, hide),
      h('a', { href: `#/support/accounts/${encodeURIComponent(r.accountId)}/rule-settings` }, 'Rule settings'),
    ]);
    replace(
      list,
      table(
        'Installations across accounts',
        ['Installation', 'Customer', 'Care', 'Last beat', 'Open findings', 'Settings'],
        cells,
        'No installation matches these filters.',
      ),
      h('div', { class: 'form-error', role: 'alert' }),
    );
    more.hidden = nextCursor === null;
  };
  const load = async (cursor?: string) => {
    const params = new URLSearchParams({ limit: '50' });
    if (initial.severity) params.set('severity', initial.severity);
    if (initial.care) params.set('care', initial.care);
    if (initial.rule) params.set('rule', initial.rule);
    if (initial.silentHours) params.set('silentHours', initial.silentHours);
    if (initial.suiteRelease) params.set('suiteRelease', initial.suiteRelease);
    if (initial.sqlEdition) params.set('sqlEdition', initial.sqlEdition);
    if (cursor) params.set('cursor', cursor);
    const page = await api<{ installations: Row[]; nextCursor: string | null }>(
      'GET',
      `/v1/support/installations?${params}`,
    );
    if (!cursor) rows.length = 0;
    rows.push(...page.installations);
    nextCursor = page.nextCursor;
    render();
  };

  const form = h(
    'form',
    { class: 'row', 'aria-label': 'Filter installations' },
    field('Open finding', severity, 'query.severity'),
    field('Rule', rule, 'query.rule'),
    field('Suite release', suiteRelease, 'query.suiteRelease'),
    field('SQL Server edition', sqlEdition, 'query.sqlEdition'),
    field('Care', care, 'query.care'),
    field('Silent for (hours)', silentHours, 'query.silentHours'),
    field('Sort', sort),
    h('div', { class: 'field' }, h('label', null, hideAcknowledged, ' Hide acknowledged findings')),
    h('button', { type: 'submit' }, 'Filter'),
    h('div', { class: 'form-error', role: 'alert' }),
  );
  // The filters go into the URL; the page reads them back (a link, a reload and Back agree).
  form.addEventListener(
    'submit',
    submitting(form, async () => {
      const filters: Filters = {
        severity: severity.value,
        rule: rule.value.trim(),
        care: care.value,
        silentHours: silentHours.value,
        suiteRelease: suiteRelease.value.trim(),
        sqlEdition: sqlEdition.value.trim(),
        sort: sort.value === 'severity' ? '' : sort.value,
        hideAcknowledged: hideAcknowledged.checked ? 'true' : '',
      };
      navigate(listHash(filters));
    }),
  );
  // Sorting and hiding need no new read.
  sort.addEventListener('change', render);
  hideAcknowledged.addEventListener('change', render);
  more.addEventListener('click', () => {
    if (nextCursor) void load(nextCursor).catch((error: unknown) => showError(list, error));
  });
  void load().catch((error: unknown) => {
    replace(list, h('div', { class: 'form-error', role: 'alert' }));
    showError(list, error, {
      'query.severity': 'Open finding',
      'query.rule': 'Rule',
      'query.care': 'Care',
      'query.silentHours': 'Silent for (hours)',
      'query.suiteRelease': 'Suite release',
      'query.sqlEdition': 'SQL Server edition',
    });
  });
  return section('Installations', form, list, more);
}
