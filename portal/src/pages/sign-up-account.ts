/**
 * A signed-in person without a Smart Account: creates one (name, the region where its data lives,
 * country) and becomes its administrator, or applies as a reseller and sees the application wait
 * for the back office's approval. The account is created by this region's API only: choosing the
 * other region answers with a link to that region's portal (the user pools are regional).
 */
import { api } from '../api';
import { field, h, replace } from '../dom';
import { ApiError } from '../problem';
import { regionNames, thisRegion } from '../regions';
import { section, submitting } from '../ui';

interface CreatedAccount {
  accountId: string;
  name: string;
  region: 'eu' | 'us';
}

interface TermsVersion {
  version: number;
  title: string;
  url?: string;
  text?: string;
  summary: string;
  effectiveAt: string;
}

interface TermsList {
  versions: TermsVersion[];
  current: number;
  upcoming: number[];
}

/** The text or the link of a version (text as text, never HTML). */
function termsBody(v: TermsVersion) {
  return v.url
    ? h('p', null, h('a', { href: v.url, target: '_blank', rel: 'noopener noreferrer' }, `Read “${v.title}”`))
    : h('details', null, h('summary', null, `Read “${v.title}”`), h('pre', null, v.text ?? ''));
}

interface ResellerApplication {
  resellerId: string;
  companyName: string;
  status: 'pending' | 'approved';
}

const labels = {
  name: 'Company or organisation',
  region: 'Where your data lives',
  country: 'Country',
  companyName: 'Company',
  acceptTerms: 'Terms',
};

/** `created`: the account exists; the caller gets a token that carries it and opens its page. */
export async function noAccountPage(
  root: HTMLElement,
  created: (account: CreatedAccount) => Promise<void>,
): Promise<void> {
  const application = await api<ResellerApplication>('GET', '/v1/resellers/application').catch((error: unknown) => {
    if (error instanceof ApiError && error.problem.status === 404) return undefined;
    throw error;
  });
  if (application) {
    replace(
      root,
      h('h1', null, 'Reseller application'),
      h(
        'p',
        { 'data-testid': 'reseller-application' },
        application.status === 'pending'
          ? `Your application for ${application.companyName} is waiting for our back office's approval. You act for customers once it is approved; sign in again then.`
          : `Your application for ${application.companyName} is approved (reseller id ${application.resellerId}). Sign out and in again to act for your customers.`,
      ),
    );
    return;
  }

  // The creator accepts the terms in force, and any published upcoming version (docs/terms.md).
  const terms = await api<TermsList>('GET', '/v1/terms');
  const shown = terms.versions.filter((v) => v.version === terms.current || terms.upcoming.includes(v.version));
  const acceptTerms = h('input', { type: 'checkbox', required: true, 'data-testid': 'accept-terms' });
  const termsBox = h(
    'div',
    { class: 'stack' },
    ...shown.map((v) =>
      h(
        'div',
        null,
        h(
          'p',
          null,
          v.version === terms.current
            ? `${v.title} (version ${v.version}), in force.`
            : `${v.title} (version ${v.version}), in force from ${v.effectiveAt.slice(0, 10)}: ${v.summary}`,
        ),
        termsBody(v),
      ),
    ),
    h('label', null, acceptTerms, ` I accept the Cloud Services Terms v${terms.current}`),
  );

  const here = thisRegion();
  const name = h('input', { type: 'text', autocomplete: 'organization', required: true, maxlength: '200' });
  const region = h(
    'select',
    { required: true },
    (['eu', 'us'] as const).map((key) =>
      h('option', { value: key, selected: key === here ? true : undefined }, `${regionNames[key]}`),
    ),
  );
  const country = h('input', {
    type: 'text',
    autocomplete: 'country',
    required: true,
    maxlength: '2',
    size: 4,
    pattern: '[A-Za-z]{2}',
  });
  const createForm = h(
    'form',
    { class: 'stack', 'aria-label': 'Create your Smart Account' },
    field(labels.name, name, 'name'),
    field(
      labels.region,
      region,
      'region',
      'EU or US: your licences, installations and telemetry are kept there. It cannot be changed later.',
    ),
    field(labels.country, country, 'country', 'Two letters, e.g. DE, FR or US.'),
    termsBox,
    h('button', { type: 'submit' }, 'Create Smart Account'),
    h('div', { class: 'form-error', role: 'alert' }),
  );
  createForm.addEventListener(
    'submit',
    submitting(
      createForm,
      async () => {
        const account = await api<CreatedAccount>('POST', '/v1/accounts', {
          name: name.value.trim(),
          region: region.value,
          country: country.value.trim(),
          acceptTerms: terms.current,
        });
        await created(account);
      },
      labels,
    ),
  );

  const companyName = h('input', { type: 'text', autocomplete: 'organization', required: true, maxlength: '200' });
  const resellerCountry = h('input', {
    type: 'text',
    autocomplete: 'country',
    required: true,
    maxlength: '2',
    size: 4,
  });
  const status = h('p', { class: 'notice', 'aria-live': 'polite' });
  const applyForm = h(
    'form',
    { class: 'stack', 'aria-label': 'Apply as a reseller' },
    field(labels.companyName, companyName, 'companyName'),
    field(labels.country, resellerCountry, 'country', 'Two letters, e.g. DE, FR or US.'),
    h('button', { type: 'submit', class: 'secondary' }, 'Apply as a reseller'),
    h('div', { class: 'form-error', role: 'alert' }),
  );
  applyForm.addEventListener(
    'submit',
    submitting(
      applyForm,
      async () => {
        const applied = await api<ResellerApplication>('POST', '/v1/resellers', {
          companyName: companyName.value.trim(),
          country: resellerCountry.value.trim(),
        });
        status.textContent = `Your application for ${applied.companyName} is waiting for our back office's approval.`;
        applyForm.hidden = true;
      },
      labels,
    ),
  );

  replace(
    root,
    h('h1', null, 'Create your Smart Account'),
    h(
      'p',
      null,
      'Your sign-in is not linked to a Smart Account yet. Create one and become its administrator; your reseller or our back office deposits your licences into it. If your reseller already ordered for you, wait for their invitation instead.',
    ),
    section('Your Smart Account', createForm),
    section('Reselling UCX?', h('p', null, 'Apply as a reseller; our back office approves it.'), status, applyForm),
  );
}
