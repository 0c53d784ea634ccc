/** Support: open an installation; its latest telemetry snapshot and findings with evidence, history and acknowledgements. */
import { api } from '../api';
import { installationHistory } from '../charts';
import type { FindingChart } from '../charts-model';
import { counterSnapshotSeconds } from '../../../lambdas/core/telemetry/cadence';
import { field, h, replace } from '../dom';
import { lastPollText } from '../last-poll';
import { dateTime, section, submitting, table } from '../ui';
import { openAccountForm } from './account';
import { fleetSection, overviewSection } from './support-fleet';
import { telemetryIntervalSection } from './telemetry-interval';

interface Ack {
  ackId: string;
  at: string;
  by: string;
  note: string;
}
interface Finding {
  findingId: string;
  accountId: string;
  ruleId: string;
  subject: string;
  severity: string;
  status: string;
  openedAt: string;
  updatedAt: string;
  evidence: unknown;
  history: { at?: string; kind?: string; severity?: string; [k: string]: unknown }[];
  acknowledgements?: Ack[];
  chart?: FindingChart;
  /** the finding in words (computed by the findings routes) */
  title?: string;
  message?: string;
  nextStep?: string;
}

export function supportHome(root: HTMLElement, navigate: (hash: string) => void): void {
  const id = h('input', {
    type: 'text',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'inst_…',
    required: true,
  });
  const form = h(
    'form',
    { class: 'row', 'aria-label': 'Open an installation' },
    field('Installation id', id),
    h('button', { type: 'submit' }, 'Open installation'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    navigate(`#/installations/${id.value.trim()}`);
  });
  replace(
    root,
    h('h1', null, 'Support'),
    overviewSection(),
    fleetSection(navigate),
    section('Open an installation', form),
    section('Open an account', openAccountForm(navigate)),
  );
}

export async function installationPage(
  root: HTMLElement,
  installationId: string,
  setActing: (text: string) => void,
  /** the signed-in role: support alone may change the installation's telemetry cycle */
  role?: string,
): Promise<void> {
  const [snapshot, findings] = await Promise.all([
    api<{ installationId: string; beats: Record<string, { collectedAt: string; data: unknown }> }>(
      'GET',
      `/v1/installations/${installationId}/snapshot`,
    ),
    api<{ findings: Finding[] }>('GET', `/v1/installations/${installationId}/findings?status=all`),
  ]);
  const accountId = findings.findings[0]?.accountId;
  setActing(accountId ? `installation ${installationId} of ${accountId}` : `installation ${installationId}`);
  const reload = () => installationPage(root, installationId, setActing);
  const history = installationHistory(installationId);

  const beats = Object.entries(snapshot.beats);
  replace(
    root,
    h('h1', null, 'Installation ', h('code', null, installationId)),
    accountId
      ? h('p', { class: 'meta' }, 'Smart Account ', h('a', { href: `#/accounts/${accountId}` }, accountId))
      : null,
    history.controls,
    section(
      'Findings',
      findings.findings.length === 0
        ? h('p', { class: 'empty' }, 'No findings.')
        : findings.findings.map((f) => findingCard(installationId, f, reload, history.findingChart(f))),
    ),
    section('Usage against licensed capacity', history.usage),
    role === 'support' ? telemetryIntervalSection(installationId) : null,
    section(
      'Latest telemetry',
      // the counters are kept every few hours (cadence.ts), so each row says how old it is
      h(
        'p',
        { class: 'meta' },
        `Counters are kept every ${counterSnapshotSeconds / 3_600} hours, at once with a new finding, and every cycle while support has shortened it; inventory as it changes and daily.`,
      ),
      table(
        'Latest beat of each type',
        ['Beat', 'Collected', 'Data'],
        beats.map(([type, beat]) => [
          type,
          `${dateTime(beat.collectedAt)} (${lastPollText(beat.collectedAt, new Date())})`,
          h('details', null, h('summary', null, 'Show'), h('pre', null, JSON.stringify(beat.data, null, 2))),
        ]),
        'No telemetry received yet.',
      ),
    ),
  );
}

function findingCard(
  installationId: string,
  f: Finding,
  reload: () => Promise<void>,
  chart: HTMLElement | null,
): HTMLElement {
  const note = h('textarea', { rows: '2', required: true, maxlength: '2000' });
  const form = h(
    'form',
    { class: 'stack', 'aria-label': `Acknowledge ${f.subject}` },
    field('Note', note, 'note'),
    h('button', { type: 'submit' }, 'Acknowledge'),
    h('div', { class: 'form-error', role: 'alert' }),
  );
  form.addEventListener(
    'submit',
    submitting(
      form,
      async () => {
        await api('POST', `/v1/installations/${installationId}/findings/${f.findingId}/acknowledgements`, {
          note: note.value,
        });
        await reload();
      },
      { note: 'Note' },
    ),
  );
  return h(
    'article',
    { class: `finding severity-${f.severity}`, 'data-finding': f.findingId },
    h('h3', null, f.title ?? f.subject),
    h(
      'p',
      { class: 'meta' },
      `${f.severity} · ${f.status} · rule ${f.ruleId} · opened ${dateTime(f.openedAt)} · updated ${dateTime(f.updatedAt)}`,
    ),
    f.message ? h('p', { class: 'finding-message' }, f.message) : null,
    f.nextStep ? h('p', { class: 'finding-next' }, h('strong', null, 'Next step: '), f.nextStep) : null,
    chart,
    h('details', null, h('summary', null, 'Evidence'), h('pre', null, JSON.stringify(f.evidence, null, 2))),
    h(
      'details',
      null,
      h('summary', null, `History (${f.history.length})`),
      h('pre', null, JSON.stringify(f.history, null, 2)),
    ),
    h('h4', null, 'Acknowledgements'),
    (f.acknowledgements ?? []).length === 0
      ? h('p', { class: 'empty' }, 'None yet.')
      : h(
          'ul',
          { class: 'acks' },
          (f.acknowledgements ?? []).map((a) => h('li', null, `${dateTime(a.at)} · ${a.by}: `, a.note)),
        ),
    form,
  );
}
