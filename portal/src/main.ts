/**
 * The portal shell: header with the region, who is signed in and on whose behalf the page acts,
 * and a hash router that names each page in the title and moves focus to it on navigation.
 */
import { useRefresh, useToken } from './api';
import { currentAuth } from './auth';
import { portalConfig } from './config';
import { h, replace } from './dom';
import { accountRoute } from './account-sections';
import { ApiError, describeProblem, errorSentence } from './problem';
import { homedElsewhereText, isRegionKey, otherPortalLink, regionIndicator, thisRegion, useRegions } from './regions';
import {
  hasStoredSession,
  homeOf,
  loadRefreshToken,
  loadSession,
  markSessionEnded,
  roleNames,
  saveSession,
  sessionFromToken,
  takeReturnPage,
  type Session,
} from './session';
import { accountPage } from './pages/account';
import { customersPage } from './pages/customers';
import { opsPage } from './pages/ops';
import { termsOpsPage } from './pages/terms';
import { advisoriesPage } from './pages/advisories';
import { ruleSettingsPage } from './pages/rule-settings';
import { securityPage } from './pages/security';
import { signInPage } from './pages/sign-in';
import { noAccountPage } from './pages/sign-up-account';
import { installationPage, supportHome } from './pages/support';
import { customerInstallationPage } from './pages/installation';

const header = document.getElementById('header')!;
const main = document.getElementById('main')!;
const siteTitle = document.title;
let session = loadSession();
/** the page asked for before signing in (e.g. a link from the other region's portal), opened after it */
let afterSignIn: string | undefined;
/** the first render leaves focus at the top, so the skip link is the first Tab; later ones move it to the page */
let firstRender = true;

const navigate = (hash: string) => {
  if (location.hash === hash) void render();
  else location.hash = hash;
};

function signOut(): void {
  clearTimeout(refreshTimer);
  session = undefined;
  saveSession(undefined);
  useToken(undefined);
  navigate('#/sign-in');
}

/** The session ended by itself (refresh refused: the user was removed, or 12 hours passed): say so at sign-in. */
function endSession(): void {
  // After signing in again, the person is back on the page they were on.
  markSessionEnded(location.hash);
  signOut();
}

let refreshTimer: ReturnType<typeof setTimeout> | undefined;

/** A new ID token a minute before this one expires (5 minutes), while the refresh token lasts. */
function scheduleRefresh(): void {
  clearTimeout(refreshTimer);
  if (!session || !loadRefreshToken()) return;
  refreshTimer = setTimeout(
    () => void refresh().then((renewed) => renewed || endSession()),
    Math.max(0, session.expiresAt - Date.now() - 60_000),
  );
}

async function refresh(): Promise<boolean> {
  const stored = loadRefreshToken();
  if (!stored) return false;
  const tokens = await (await currentAuth()).refresh(stored.refreshToken).catch(() => undefined);
  const next = tokens && sessionFromToken(tokens.idToken, stored.label);
  if (!next) return false;
  session = next;
  saveSession(next, undefined, tokens.accessToken);
  useToken(next.token, endSession);
  scheduleRefresh();
  return true;
}

/** After sign-up created the person's Smart Account: a token that carries it, then its page. */
async function accountCreated(account: { accountId: string }): Promise<void> {
  if (!(await refresh()) || session?.accountId !== account.accountId) {
    // No refresh token (or one that predates the link): signing in again carries the account.
    signOut();
    afterSignIn = `#/accounts/${account.accountId}`;
    return;
  }
  navigate(`#/accounts/${account.accountId}`);
}

function signIn(next: Session, refreshToken?: string, accessToken?: string): void {
  session = next;
  saveSession(next, refreshToken, accessToken);
  useToken(next.token, endSession);
  scheduleRefresh();
  const target = afterSignIn ?? takeReturnPage() ?? homeOf(next);
  afterSignIn = undefined;
  navigate(target);
}

function renderHeader(acting: string): void {
  const nav: [string, string][] = [];
  if (session?.role === 'reseller') nav.push(['#/customers', 'Customers']);
  if (session?.role === 'customer' && session.accountId) nav.push([`#/accounts/${session.accountId}`, 'My account']);
  if (session?.role === 'backoffice') nav.push(['#/ops', 'Back office']);
  if (session?.role === 'support' || session?.role === 'backoffice') nav.push(['#/support', 'Support']);
  if (session) nav.push(['#/security', 'Security']);
  const out = h('button', { type: 'button', class: 'link' }, 'Sign out');
  out.addEventListener('click', signOut);
  replace(
    header,
    h('a', { href: '#/', class: 'brand' }, 'UCX Cloud'),
    regionIndicator(location.hash),
    session
      ? h(
          'nav',
          { 'aria-label': 'Main' },
          nav.map(([href, label]) =>
            h(
              'a',
              {
                href,
                // An account's section (`#/accounts/X/findings`) is still the account's page.
                'aria-current': location.hash === href || location.hash.startsWith(`${href}/`) ? 'page' : undefined,
              },
              label,
            ),
          ),
        )
      : null,
    session
      ? h(
          'div',
          { class: 'who' },
          h('span', null, `${session.label} · ${roleNames[session.role]}`),
          h('span', { class: 'acting', 'data-testid': 'acting-for' }, `Acting for: ${acting}`),
          out,
        )
      : null,
  );
}

async function render(): Promise<void> {
  const hash = location.hash.replace(/^#/, '');
  // A query after the route (e.g. a Presence connection's outcome) is for the page to read, not part of the route.
  const path = hash.split('?')[0] || '/';
  if (!session && path !== '/sign-in') {
    if (path !== '/') afterSignIn = `#${hash}`;
    return navigate('#/sign-in');
  }
  const ownAccount = session?.role === 'customer' && session.accountId ? session.accountId : undefined;
  let acting =
    session?.role === 'backoffice' || session?.role === 'support'
      ? 'no account selected'
      : (ownAccount ?? (session?.role === 'reseller' ? 'no customer selected' : '—'));
  renderHeader(acting);
  const setActing = (text: string) => {
    acting = text;
    renderHeader(acting);
  };
  replace(main, h('p', { class: 'loading', role: 'status' }, 'Loading…'));
  try {
    const account = accountRoute(path);
    const installation = /^\/installations\/([^/]+)$/.exec(path);
    const accountInstallation = /^\/accounts\/([^/]+)\/installations\/([^/]+)$/.exec(path);
    if (path === '/sign-in') {
      if (session) return navigate(homeOf(session));
      await signInPage(main, signIn);
    } else if (path === '/' && session) return navigate(homeOf(session));
    else if (account && session)
      await accountPage(main, session, account.accountId, setActing, undefined, account.section);
    else if (accountInstallation && session)
      await customerInstallationPage(
        main,
        session,
        decodeURIComponent(accountInstallation[1]!),
        decodeURIComponent(accountInstallation[2]!),
        setActing,
      );
    else if (installation) await installationPage(main, decodeURIComponent(installation[1]!), setActing, session?.role);
    else if (path === '/customers' && session) await customersPage(main, session, navigate);
    else if (path === '/ops') opsPage(main, navigate);
    else if (path === '/ops/terms') termsOpsPage(main);
    else if (path === '/ops/advisories') await advisoriesPage(main);
    else if (/^\/support\/accounts\/[^/]+\/rule-settings$/.test(path))
      await ruleSettingsPage(main, decodeURIComponent(path.split('/')[3]!), setActing);
    else if (path === '/support') supportHome(main, navigate);
    else if (path === '/security' && session) await securityPage(main, session);
    else if (path === '/no-account') await noAccountPage(main, accountCreated);
    else replace(main, h('h1', null, 'Page not found'), h('p', null, h('a', { href: '#/' }, 'Go to your start page')));
  } catch (error) {
    if (error instanceof ApiError && error.problem.status === 421 && isRegionKey(error.problem.region)) {
      const region = error.problem.region;
      replace(
        main,
        h('h1', null, 'Homed in the other region'),
        h(
          'div',
          { class: 'notice', role: 'alert' },
          h('p', null, homedElsewhereText(region, thisRegion())),
          h('p', null, otherPortalLink(region, location.hash), '.'),
        ),
      );
      return finishRender();
    }
    const words = error instanceof ApiError ? describeProblem(error.problem) : [errorSentence(error)];
    const status = error instanceof ApiError ? error.problem.status : 0;
    replace(
      main,
      h('h1', null, status === 403 ? 'No access' : status === 404 ? 'Not found' : 'Something went wrong'),
      h(
        'div',
        { class: 'form-error', role: 'alert' },
        words.map((w) => h('p', null, w)),
      ),
      h('p', null, h('a', { href: '#/' }, 'Go to your start page')),
    );
  }
  finishRender();
}

function finishRender(): void {
  const heading = main.querySelector('h1')?.textContent?.trim();
  document.title = heading ? `${heading} · ${siteTitle}` : siteTitle;
  if (!firstRender) main.focus({ preventScroll: true });
  firstRender = false;
}

// The router owns the hash: the skip link's `#main` would be read as a page, so it moves focus itself.
document.querySelector<HTMLAnchorElement>('a.skip')?.addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});

if (session) {
  useToken(session.token, endSession);
  scheduleRefresh();
}
// A 401 from the API (a token the cloud's clock finds expired) is retried once after a refresh.
useRefresh(refresh);
window.addEventListener('hashchange', () => void render());
// A stored sign-in that expired and cannot be refreshed is a session that ended: said so at sign-in.
const restored = async (): Promise<boolean> => {
  if (session) return true;
  if (await refresh()) return true;
  if (hasStoredSession()) {
    markSessionEnded(location.hash);
    saveSession(undefined);
  }
  return false;
};
void Promise.all([portalConfig(), restored()]).then(([config]) => {
  useRegions(config);
  return render();
});
