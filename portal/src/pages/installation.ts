/**
 * A customer's installation (`#/accounts/{accountId}/installations/{installationId}`), also for its
 * reseller and staff: its findings in words with their charts, usage against licensed capacity, the
 * last beat and poll. The same words and charts support reads on its installation page.
 */
import { api } from '../api';
import { installationHistory } from '../charts';
import type { FindingChart } from '../charts-model';
import { h, replace } from '../dom';
import { lastPollText } from '../last-poll';
import { ApiError } from '../problem';
import type { Session } from '../session';
import { productNames } from '../terms';
import { dateTime, section } from '../ui';
import type { Account } from './account';

/** A finding as the findings routes answer it; the words (title, message, nextStep) and chart are read-time additions. */
export interface WordedFinding {
  findingId: string;
  ruleId: string;
  subject: string;
  severity: string;
  status: string;
  openedAt: string;
  updatedAt: string;
  title?: string;
  message?: string;
  nextStep?: string;
  chart?: FindingChart;
}

export async function customerInstallationPage(
  root: HTMLElement,
  session: Session,
  accountId: string,
  installationId: string,
  setActing: (text: string) => void,
): Promise<void> {
  const [account, findings, health] = await Promise.all([
    api<Account>('GET', `/v1/accounts/${encodeURIComponent(accountId)}`),
    // 404 until the first beat of the installation has been read: no findings yet, not an error
    api<{ findings: WordedFinding[] }>(
      'GET',
      `/v1/installations/${encodeURIComponent(installationId)}/findings?status=all`,
    ).catch((error: unknown) => {
      if (error instanceof ApiError && error.problem.status === 404) return undefined;
      throw error;
    }),
    api<{ installations: { installationId: string; lastBeatAt: string | null }[] }>(
      'GET',
      `/v1/accounts/${encodeURIComponent(accountId)}/installations/health`,
      // a failed health call must not read as "no beat yet" (issue 19.3)
    ).catch(() => null),
  ]);
  setActing(`${account.name} (${account.accountId}, ${account.region.toUpperCase()})`);
  const installation = account.installations.find((i) => i.installationId === installationId);
  if (!installation)
    throw new ApiError({ status: 404, detail: `Installation ${installationId} is not on this account.` });
  const lastBeatAt = health?.installations.find((i) => i.installationId === installationId)?.lastBeatAt ?? null;
  const staff = session.role === 'support' || session.role === 'backoffice';
  const history = findings ? installationHistory(installationId) : undefined;
  const open = (findings?.findings ?? []).filter((f) => f.status === 'open');
  const resolved = (findings?.findings ?? []).filter((f) => f.status !== 'open');
  const licences =
    Object.entries(installation.allocation)
      .map(([p, n]) => `${productNames[p] ?? p} ×${n}`)
      .join(', ') || 'no licences';

  replace(
    root,
    h('h1', null, 'Installation ', h('code', null, installationId)),
    h(
      'p',
      { class: 'meta' },
      h('a', { href: `#/accounts/${encodeURIComponent(account.accountId)}` }, account.name),
      ` · ${installation.nodes.join(', ')} · suite ${installation.suiteVersion} · ${installation.status}`,
      staff
        ? [' · ', h('a', { href: `#/installations/${encodeURIComponent(installationId)}` }, 'Support’s view')]
        : null,
    ),
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, 'Last telemetry'),
      h(
        'dd',
        { 'data-testid': 'last-beat' },
        health === null
          ? 'could not be loaded: reload the page to try again'
          : lastBeatAt
            ? dateTime(lastBeatAt)
            : 'no beat yet',
      ),
      h('dt', null, 'Last licence poll'),
      h('dd', null, lastPollText(installation.lastPollAt, new Date())),
      h('dt', null, 'Licences'),
      h('dd', null, licences),
    ),
    // One switch for every chart on the page: one history query per range.
    history?.controls ?? null,
    section(
      'Findings',
      !findings
        ? h('p', { class: 'empty' }, 'No telemetry from this installation yet, so nothing to judge.')
        : open.length === 0
          ? h('p', { class: 'empty' }, 'No open findings: nothing needs attention.')
          : open.map((f) => findingArticle(f, history?.findingChart(f) ?? null)),
      resolved.length > 0
        ? h(
            'details',
            { class: 'resolved-findings' },
            h('summary', null, `Resolved findings (${resolved.length})`),
            resolved.map((f) => findingArticle(f, null)),
          )
        : null,
    ),
    section(
      'Usage against licensed capacity',
      history ? history.usage : h('p', { class: 'empty' }, 'No telemetry from this installation yet.'),
    ),
  );
}

/** A finding in words: what is wrong, what to do, then its chart. */
export function findingArticle(f: WordedFinding, chart: HTMLElement | null): HTMLElement {
  return h(
    'article',
    { class: `finding severity-${f.severity}`, 'data-finding': f.findingId },
    h('h3', null, f.title ?? f.subject),
    h(
      'p',
      { class: 'meta' },
      `${f.severity} · ${f.status} · opened ${dateTime(f.openedAt)} · updated ${dateTime(f.updatedAt)}`,
    ),
    f.message ? h('p', { class: 'finding-message' }, f.message) : null,
    f.nextStep ? h('p', { class: 'finding-next' }, h('strong', null, 'Next step: '), f.nextStep) : null,
    chart,
  );
}
