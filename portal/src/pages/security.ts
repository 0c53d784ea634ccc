/**
 * Two-step sign-in: adding an authenticator app (TOTP). Staff are led here by sign-in when their
 * token says `ucx:mfa_setup_required` (no staff role without it); anyone may add one from the
 * Security page. The key is shown as text and as an otpauth:// link (no QR library: the budget).
 */
import { currentAuth, type AuthBackend } from '../auth';
import { field, h, replace } from '../dom';
import { loadAccessToken, type Session } from '../session';
import { section, submitting } from '../ui';

/** The enrolment form: associate now, verify the first code, then `done()`. */
export async function totpEnrolment(
  auth: AuthBackend,
  token: string,
  email: string,
  done: () => void,
): Promise<HTMLElement> {
  const setup = await auth.associateTotp(token, email);
  const code = h('input', {
    type: 'text',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    required: true,
    pattern: '[0-9]{6}',
  });
  const form = h(
    'form',
    { class: 'stack', 'aria-label': 'Add an authenticator' },
    h('p', null, 'Add UCX Cloud to an authenticator app with this key, then enter the 6-digit code it shows.'),
    h('p', null, 'Key: ', h('code', { class: 'totp-secret' }, setup.secretCode)),
    h('p', null, h('a', { href: setup.otpauthUri }, 'Open in an authenticator app')),
    field('Authenticator code', code, 'code'),
    h('button', { type: 'submit' }, 'Add authenticator'),
    h('div', { class: 'form-error', role: 'alert' }),
  );
  form.addEventListener(
    'submit',
    submitting(
      form,
      async () => {
        await auth.verifyTotp(token, code.value.trim());
        done();
      },
      { code: 'Authenticator code' },
    ),
  );
  return form;
}

/** `#/security`: the signed-in user adds an authenticator; the next sign-in asks for its code. */
export async function securityPage(root: HTMLElement, session: Session): Promise<void> {
  const auth = await currentAuth();
  const status = h('p', { class: 'notice', 'aria-live': 'polite' });
  const slot = h('div');
  const start = h('button', { type: 'button' }, 'Add an authenticator app');
  start.addEventListener('click', async () => {
    const token = loadAccessToken();
    if (!token) return;
    start.disabled = true;
    replace(
      slot,
      await totpEnrolment(auth, token, session.label, () => {
        replace(slot);
        status.textContent = 'Authenticator added: from your next sign-in, UCX Cloud asks for its code.';
      }),
    );
  });
  replace(
    root,
    h('h1', null, 'Security'),
    status,
    section(
      'Two-step sign-in',
      h('p', null, 'Sign in with your password and a code from an authenticator app (TOTP).'),
      start,
      slot,
    ),
  );
}
