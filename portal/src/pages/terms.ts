/**
 * Terms versions in the portal: the account page's notice of a pending version (its summary, text
 * or link and effective date, with Accept and Object…), shown until accepted; and the back office's
 * terms page: publish a version, the versions, and per version every account's standing (CSV too).
 * (portal/src/terms.ts is another thing: licence terms of products.)
 */
import { api, apiText } from '../api';
import { field, h, replace } from '../dom';
import type { Session } from '../session';
import { dateTime, day, downloadText, section, showError, submitting, table } from '../ui';

interface TermsVersion {
  version: number;
  title: string;
  url?: string;
  text?: string;
  summary: string;
  effectiveAt: string;
  publishedAt: string;
}

interface AccountTerms {
  applies: number | null;
  notice: (TermsVersion & { status: 'pending' | 'objected'; reason?: string }) | null;
}

interface Consent {
  accountId: string;
  status: 'pending' | 'accepted' | 'objected' | 'silent';
  at?: string;
  by?: { sub: string; email?: string } | 'silent-consent';
  reason?: string;
  noticeSentAt?: string;
}

const statusWords: Record<Consent['status'], string> = {
  pending: 'No answer yet',
  accepted: 'Accepted',
  objected: 'Objected',
  silent: 'Silent consent',
};

/** The text or the link of a version: text as text (never HTML), a link opening the published terms. */
function termsBody(v: TermsVersion) {
  return v.url
    ? h('p', null, h('a', { href: v.url, target: '_blank', rel: 'noopener noreferrer' }, `Read “${v.title}”`))
    : h('details', null, h('summary', null, `Read “${v.title}”`), h('pre', null, v.text ?? ''));
}

/**
 * The account page's terms notice: nothing when no version is waiting; otherwise the version, and
 * for the account's own administrators Accept and Object… (a reason). Others see the standing only.
 */
export function termsNoticeSection(session: Session, accountId: string): HTMLElement {
  const box = h('div', { 'aria-live': 'polite' });
  const mayAnswer = session.role === 'customer' && session.accountId === accountId;
  const render = (terms: AccountTerms, done?: string) => {
    const n = terms.notice;
    if (!n) {
      replace(box, done ? h('p', { class: 'notice', role: 'status' }, done) : null);
      box.closest('section')?.toggleAttribute('hidden', !done);
      return;
    }
    box.closest('section')?.removeAttribute('hidden');
    const accept = h('button', { type: 'button' }, `Accept version ${n.version}`);
    const reason = h('textarea', { rows: 3, maxlength: 2000 });
    const objection = h(
      'form',
      { class: 'stack', 'aria-label': `Object to version ${n.version}` },
      field('Why do you object?', reason, 'reason', 'The vendor’s back office reads this.'),
      h('button', { type: 'submit', class: 'secondary' }, `Object to version ${n.version}`),
      h('div', { class: 'form-error', role: 'alert' }),
    );
    objection.addEventListener(
      'submit',
      submitting(
        objection,
        async () => {
          await api('POST', `/v1/accounts/${accountId}/terms/${n.version}/objection`, { reason: reason.value });
          await load('Your objection is recorded. The current terms keep applying; you may still accept.');
        },
        { reason: 'Reason' },
      ),
    );
    const errors = h('div', { class: 'form-error', role: 'alert' });
    accept.addEventListener('click', () => {
      accept.disabled = true;
      void api('POST', `/v1/accounts/${accountId}/terms/${n.version}/acceptance`)
        .then(() => load(`You accepted version ${n.version} of the terms.`))
        .catch((error: unknown) => {
          accept.disabled = false;
          showError(box, error);
        });
    });
    replace(
      box,
      done ? h('p', { class: 'notice', role: 'status' }, done) : null,
      h(
        'div',
        { class: 'terms-notice', 'data-testid': 'terms-notice' },
        h(
          'p',
          null,
          h('strong', null, `${n.title} (version ${n.version})`),
          ` takes effect on ${dateTime(n.effectiveAt)}.`,
        ),
        h('p', null, n.summary),
        termsBody(n),
        n.status === 'objected'
          ? h('p', null, `You objected: “${n.reason ?? ''}”. The previous terms keep applying to this account.`)
          : h('p', null, 'Without an objection before that date, the changes are considered accepted.'),
      ),
      mayAnswer
        ? [
            h('p', null, accept),
            errors,
            n.status === 'pending' ? h('details', null, h('summary', null, 'Object…'), objection) : null,
          ]
        : null,
    );
  };
  const load = async (done?: string) => render(await api<AccountTerms>('GET', `/v1/accounts/${accountId}/terms`), done);
  const shown = section('Terms of use', box);
  shown.hidden = true;
  void load().catch((error: unknown) => {
    shown.hidden = false;
    showError(box, error);
  });
  return shown;
}

const publishLabels = {
  title: 'Title',
  url: 'Link to the terms',
  text: 'Text of the terms',
  summary: 'Summary of changes',
  effectiveAt: 'Effective date',
};

/** The back office's terms page: publish, the versions, and each version's consents. */
export function termsOpsPage(root: HTMLElement): void {
  const versionsBox = h('div', { 'aria-live': 'polite' });
  const consentsBox = h('div', { 'aria-live': 'polite' });

  const title = h('input', { type: 'text', maxlength: 200 });
  const form = h('select', null, h('option', { value: 'url' }, 'A link'), h('option', { value: 'text' }, 'The text'));
  const url = h('input', { type: 'url', placeholder: 'https://' });
  const text = h('textarea', { rows: 6 });
  const summary = h('textarea', { rows: 3, maxlength: 4000 });
  const effective = h('input', { type: 'datetime-local' });
  const urlField = field(publishLabels.url, url, 'url');
  const textField = field(publishLabels.text, text, 'text', 'Markdown or plain text, at most 100 000 characters.');
  const showForm = () => {
    urlField.hidden = form.value !== 'url';
    textField.hidden = form.value !== 'text';
  };
  form.addEventListener('change', showForm);
  showForm();
  const result = h('div', { 'aria-live': 'polite' });
  const publish = h(
    'form',
    { class: 'stack', 'aria-label': 'Publish a terms version' },
    field(publishLabels.title, title, 'title'),
    field('Published as', form),
    urlField,
    textField,
    field(publishLabels.summary, summary, 'summary', 'Mailed to every administrator of every account.'),
    field(publishLabels.effectiveAt, effective, 'effectiveAt', 'In UTC; must be in the future.'),
    h('button', { type: 'submit' }, 'Publish'),
    h('div', { class: 'form-error', role: 'alert' }),
  );
  publish.addEventListener(
    'submit',
    submitting(
      publish,
      async () => {
        const published = await api<TermsVersion>('POST', '/v1/ops/terms', {
          title: title.value,
          ...(form.value === 'url' ? { url: url.value } : { text: text.value }),
          summary: summary.value,
          // The field's local time is read as UTC, as its hint says: the date is the same for every reader.
          effectiveAt: effective.value
            ? `${effective.value.length === 16 ? `${effective.value}:00` : effective.value}Z`
            : '',
        });
        replace(
          result,
          h(
            'p',
            { class: 'notice', role: 'status' },
            `Version ${published.version} published; the notices go out with the next terms job.`,
          ),
        );
        await loadVersions();
      },
      publishLabels,
    ),
  );

  const showConsents = async (v: TermsVersion, cursor?: string, shown: Consent[] = []) => {
    const query = `/v1/ops/terms/${v.version}/consents`;
    const page = await api<{ consents: Consent[]; nextCursor: string | null; noticesComplete: boolean }>(
      'GET',
      `${query}${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    const all = [...shown, ...page.consents];
    const rows = all.map((c) => [
      h('a', { href: `#/accounts/${c.accountId}` }, c.accountId),
      c.status === 'objected' ? h('strong', { class: 'term-expired' }, statusWords[c.status]) : statusWords[c.status],
      dateTime(c.at),
      c.by === undefined ? '—' : c.by === 'silent-consent' ? 'silence' : (c.by.email ?? c.by.sub),
      c.reason ?? '',
      dateTime(c.noticeSentAt),
    ]);
    const more = h('button', { type: 'button', class: 'secondary', hidden: page.nextCursor === null }, 'More accounts');
    more.addEventListener('click', () => {
      if (page.nextCursor) void showConsents(v, page.nextCursor, all).catch((e: unknown) => showError(consentsBox, e));
    });
    const csv = h('a', { href: '#', 'data-testid': 'terms-consents-csv' }, 'Download CSV');
    csv.addEventListener('click', (event) => {
      event.preventDefault();
      void apiText(`${query}?format=csv&limit=1000`, 'text/csv')
        .then((body) => downloadText(`terms-v${v.version}-consents.csv`, body, 'text/csv'))
        .catch((error: unknown) => showError(consentsBox, error));
    });
    const objections = all.filter((c) => c.status === 'objected').length;
    replace(
      consentsBox,
      h('h3', null, `Version ${v.version}: accounts`),
      h(
        'p',
        null,
        page.noticesComplete ? 'Every account has been sent the notice. ' : 'The notices are still going out. ',
        objections > 0 ? h('strong', null, `${objections} objection${objections === 1 ? '' : 's'} shown. `) : '',
        csv,
      ),
      table(
        `Version ${v.version} consents`,
        ['Account', 'Standing', 'When', 'By', 'Objection', 'Notice sent'],
        rows,
        'No account has been reached yet.',
      ),
      more,
      h('div', { class: 'form-error', role: 'alert' }),
    );
  };

  const loadVersions = async () => {
    const { versions } = await api<{ versions: TermsVersion[] }>('GET', '/v1/terms');
    const rows = [...versions].reverse().map((v) => {
      const open = h('button', { type: 'button', class: 'secondary' }, `Accounts of version ${v.version}`);
      open.addEventListener('click', () => void showConsents(v).catch((e: unknown) => showError(consentsBox, e)));
      return [String(v.version), v.title, day(v.effectiveAt), v.summary, v.version > 1 ? open : 'every account'];
    });
    replace(versionsBox, table('Terms versions', ['Version', 'Title', 'Effective', 'Summary', ''], rows, 'None.'));
  };

  replace(
    root,
    h('h1', null, 'Terms of use'),
    h('p', null, h('a', { href: '#/ops' }, 'Back office')),
    section('Publish a new version', publish, result),
    section('Versions', versionsBox),
    section('Consents', consentsBox),
  );
  void loadVersions().catch((error: unknown) => showError(versionsBox, error));
}
