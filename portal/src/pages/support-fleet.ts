/**
 * Support's start: installations across accounts, filtered by open-finding severity, Care level
 * and hours of silence, each linking to its installation page; "More" follows the service's cursor.
 */
import { api } from '../api';
import { field, h, replace } from '../dom';
import { dateTime, section, showError, submitting, table } from '../ui';

interface Row {
  installationId: string;
  accountId: string;
  lastBeatAt: string | null;
  careLevel: string | null;
  openFindings: { ruleId: string; severity: string }[];
}

export function fleetSection(): HTMLElement {
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
  const silentHours = h('input', { type: 'number', min: '1', step: '1', inputmode: 'numeric' });
  const list = h('div', { 'aria-live': 'polite' }, h('p', { class: 'loading' }, 'Loading installations…'));
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'More');
  const rows: Row[] = [];
  let nextCursor: string | null = null;

  const render = () => {
    const cells = rows.map((r) => [
      h('a', { href: `#/installations/${encodeURIComponent(r.installationId)}` }, r.installationId),
      h('a', { href: `#/accounts/${encodeURIComponent(r.accountId)}` }, r.accountId),
      r.careLevel ?? '—',
      dateTime(r.lastBeatAt),
      r.openFindings.length ? r.openFindings.map((f) => `${f.severity}: ${f.ruleId}`).join(', ') : 'none',
    ]);
    replace(
      list,
      table(
        'Installations across accounts',
        ['Installation', 'Account', 'Care', 'Last beat', 'Open findings'],
        cells,
        'No installation matches these filters.',
      ),
      h('div', { class: 'form-error', role: 'alert' }),
    );
    more.hidden = nextCursor === null;
  };
  const load = async (cursor?: string) => {
    const params = new URLSearchParams({ limit: '50' });
    if (severity.value) params.set('severity', severity.value);
    if (care.value) params.set('care', care.value);
    if (silentHours.value) params.set('silentHours', silentHours.value);
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
    field('Care', care, 'query.care'),
    field('Silent for (hours)', silentHours, 'query.silentHours'),
    h('button', { type: 'submit' }, 'Filter'),
    h('div', { class: 'form-error', role: 'alert' }),
  );
  form.addEventListener(
    'submit',
    submitting(form, () => load(), {
      'query.severity': 'Open finding',
      'query.care': 'Care',
      'query.silentHours': 'Silent for (hours)',
    }),
  );
  more.addEventListener('click', () => {
    if (nextCursor) void load(nextCursor).catch((error: unknown) => showError(list, error));
  });
  void load().catch((error: unknown) => {
    replace(list, h('div', { class: 'form-error', role: 'alert' }));
    showError(list, error);
  });
  return section('Installations', form, list, more);
}
