/**
 * The account's audit log: every licensing change with who made it, newest first, filtered by
 * action and date, paged with the service's cursor, and downloadable as CSV.
 */
import { api, apiText } from '../api';
import { field, h, replace } from '../dom';
import { actionText, detailsText } from '../audit-sentences';
import { dateTime, downloadText, section, showError, submitting, table } from '../ui';

interface AuditEvent {
  at: string;
  eventId: string;
  actor: { kind: string; id: string };
  action: string;
  details: Record<string, unknown>;
  /** the actor in words, named by the service when read (a person's e-mail, "back office", …) */
  by?: string;
}

const actions = [
  'account.created',
  'account.reseller-set',
  'account.reseller-removed',
  'order.deposited',
  'activation-key.created',
  'activation-key.revoked',
  'user.invited',
  'user.removed',
  'installation.activated',
  'installation.allocation-changed',
  'installation.deactivated',
  'installation.stale-notice',
  'stale-release.enabled',
  'stale-release.disabled',
  'telemetry.enabled',
  'telemetry.disabled',
  'telemetry.interval-set',
  'telemetry.interval-ended',
  'terms.published',
  'terms.accepted',
  'terms.objected',
  'terms.silent-consent',
];

/** The actor in words when the service did not name it (an older answer): never a bare id alone. */
const byText = (e: AuditEvent): string =>
  e.by ??
  (
    { backoffice: 'back office', support: 'support', installation: `agent of installation ${e.actor.id}` } as Record<
      string,
      string
    >
  )[e.actor.kind] ??
  `${e.actor.kind} ${e.actor.id}`;

export function auditSection(accountId: string): HTMLElement {
  const action = h(
    'select',
    null,
    h('option', { value: '' }, 'All actions'),
    ...actions.map((a) => h('option', { value: a }, actionText(a))),
  );
  const from = h('input', { type: 'date' });
  const to = h('input', { type: 'date' });
  const list = h('div', { 'aria-live': 'polite' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Older events');
  const events: AuditEvent[] = [];
  let nextCursor: string | null = null;

  const query = (extra: Record<string, string> = {}) => {
    const params = new URLSearchParams();
    if (action.value) params.set('action', action.value);
    if (from.value) params.set('from', from.value);
    if (to.value) params.set('to', to.value);
    for (const [k, v] of Object.entries(extra)) params.set(k, v);
    const text = params.toString();
    return `/v1/accounts/${accountId}/audit${text ? `?${text}` : ''}`;
  };
  const render = () => {
    const rows = events.map((e) => [dateTime(e.at), actionText(e.action), byText(e), detailsText(e.action, e.details)]);
    replace(
      list,
      table('Audit log', ['When', 'Action', 'By', 'Details'], rows, 'No events match these filters.'),
      h('div', { class: 'form-error', role: 'alert' }),
    );
    more.hidden = nextCursor === null;
  };
  const load = async (cursor?: string) => {
    const page = await api<{ events: AuditEvent[]; nextCursor: string | null }>('GET', query(cursor ? { cursor } : {}));
    if (!cursor) events.length = 0;
    events.push(...page.events);
    nextCursor = page.nextCursor;
    render();
  };

  const form = h(
    'form',
    { class: 'stack', 'aria-label': 'Filter the audit log' },
    field('Action', action, 'query.action'),
    field('From', from, 'query.from'),
    field('To', to, 'query.to', 'Both days included.'),
    h('button', { type: 'submit' }, 'Filter'),
    h('div', { class: 'form-error', role: 'alert' }),
  );
  form.addEventListener(
    'submit',
    submitting(form, () => load(), { 'query.from': 'From', 'query.to': 'To', 'query.action': 'Action' }),
  );
  more.addEventListener('click', () => {
    if (nextCursor) void load(nextCursor).catch((error: unknown) => showError(list, error));
  });
  // A link a person recognises as a download; the token travels in a header, so it fetches itself.
  const csv = h('a', { href: '#', 'data-testid': 'audit-csv' }, 'Download CSV');
  csv.addEventListener('click', (event) => {
    event.preventDefault();
    void apiText(query({ format: 'csv', limit: '1000' }), 'text/csv')
      .then((text) => downloadText(`audit-${accountId}.csv`, text, 'text/csv'))
      .catch((error: unknown) => showError(list, error));
  });

  void load().catch((error: unknown) => {
    replace(list, h('div', { class: 'form-error', role: 'alert' }));
    showError(list, error);
  });
  return section('Audit log', form, h('p', null, csv), list, more);
}
