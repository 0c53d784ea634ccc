/**
 * Sign-in. Locally: pick a demo user, or use the local auth flows (sign-up with an e-mailed code,
 * password reset) that mimic Cognito's; the codes land in the local outbox. Deployed, the same
 * forms talk to Cognito (portal/src/auth.ts), which may ask for a new password (an invited user's
 * first sign-in) or the authenticator's code. A token that says `ucx:mfa_setup_required` (staff
 * without an authenticator) leads to adding one, then to signing in again with its code.
 */
import { api } from '../api';
import { currentAuth, isChallenge, type Challenge, type SignInResult } from '../auth';
import { field, h, replace } from '../dom';
import { mfaSetupRequired, roleNames, sessionFromToken, takeSessionEnded, type Session } from '../session';
import { section, submitting } from '../ui';
import { totpEnrolment } from './security';

interface DemoUser {
  label: string;
  token: string;
}

const labels = { email: 'E-mail', password: 'Password', code: 'Verification code' };

export async function signInPage(
  root: HTMLElement,
  signIn: (session: Session, refreshToken?: string, accessToken?: string) => void,
): Promise<void> {
  const auth = await currentAuth();
  const demo =
    auth.kind === 'local'
      ? await api<{ users: DemoUser[] }>('GET', '/local/auth/demo-users').catch(() => ({ users: [] as DemoUser[] }))
      : { users: [] as DemoUser[] };
  const accept = (token: string, label?: string, refreshToken?: string, accessToken?: string) => {
    const session = sessionFromToken(token, label);
    if (!session) throw new Error('This sign-in has no portal role (back office, support, reseller or customer).');
    signIn(session, refreshToken, accessToken);
  };
  const passwordHint =
    auth.kind === 'cognito'
      ? 'At least 12 characters, with upper- and lower-case letters and a digit.'
      : 'At least 8 characters, with a letter and a digit.';

  const demoList = h(
    'ul',
    { class: 'demo-users' },
    demo.users.map((user) => {
      const role = sessionFromToken(user.token)?.role;
      const button = h(
        'button',
        { type: 'button', class: 'secondary' },
        user.label,
        role ? h('small', null, ` ${roleNames[role]}`) : null,
      );
      button.addEventListener('click', () => accept(user.token, user.label));
      return h('li', null, button);
    }),
  );

  const status = h('p', { class: 'notice', 'aria-live': 'polite' });
  if (takeSessionEnded()) status.textContent = 'Your session has ended. Sign in again.';
  const email = () => h('input', { type: 'email', autocomplete: 'username', required: true });
  const password = (autocomplete: string) =>
    h('input', { type: 'password', autocomplete, required: true, minlength: '8' });

  const signInEmail = email();
  const signInPassword = password('current-password');
  const signInForm = h(
    'form',
    { class: 'stack', 'aria-label': 'Sign in' },
    field('E-mail', signInEmail, 'email'),
    field('Password', signInPassword, 'password'),
    h('button', { type: 'submit' }, 'Sign in'),
    h('div', { class: 'form-error', role: 'alert' }),
  );
  // A challenge (new password, TOTP code) is answered in a form of its own, below sign-in.
  let pending: Challenge | undefined;
  const challengeAnswer = h('input', { type: 'password', autocomplete: 'new-password', required: true });
  const challengeLabel = h('span');
  const challengeForm = h(
    'form',
    { class: 'stack', 'aria-label': 'Finish signing in', hidden: true },
    h('p', null, challengeLabel),
    field('Answer', challengeAnswer, 'answer'),
    h('button', { type: 'submit' }, 'Continue'),
    h('div', { class: 'form-error', role: 'alert' }),
  );
  // Staff without an authenticator: their token carries no staff role until they add one.
  const enrolment = h('div', { hidden: true });
  const enrol = async (token: string, email: string) => {
    replace(
      enrolment,
      h('p', null, 'Your role signs in with a second factor. Add an authenticator app to continue.'),
      await totpEnrolment(auth, token, email, () => {
        enrolment.hidden = true;
        replace(enrolment);
        signInPassword.value = '';
        status.textContent = "Authenticator added. Sign in again with your password and the app's code.";
        signInPassword.focus();
      }),
    );
    enrolment.hidden = false;
    enrolment.querySelector('input')?.focus();
  };
  const finish = async (result: SignInResult, email: string) => {
    if (!isChallenge(result)) {
      if (mfaSetupRequired(result.idToken)) return enrol(result.accessToken ?? result.idToken, email);
      return accept(result.idToken, email, result.refreshToken, result.accessToken);
    }
    pending = result;
    challengeForm.hidden = false;
    const newPassword = result.challenge === 'NEW_PASSWORD_REQUIRED';
    challengeLabel.textContent = newPassword
      ? `Choose your own password (${passwordHint.toLowerCase()})`
      : 'Enter the 6-digit code of your authenticator app.';
    challengeAnswer.setAttribute('type', newPassword ? 'password' : 'text');
    challengeAnswer.setAttribute('autocomplete', newPassword ? 'new-password' : 'one-time-code');
    challengeAnswer.value = '';
    challengeAnswer.focus();
  };
  signInForm.addEventListener(
    'submit',
    submitting(
      signInForm,
      async () => finish(await auth.signIn(signInEmail.value.trim(), signInPassword.value), signInEmail.value.trim()),
      labels,
    ),
  );
  challengeForm.addEventListener(
    'submit',
    submitting(
      challengeForm,
      async () => {
        if (!pending) return;
        const answered = pending;
        const result = await auth.respond(answered, challengeAnswer.value.trim());
        challengeForm.hidden = true;
        await finish(result, answered.email);
      },
      { ...labels, password: 'Answer', code: 'Answer' },
    ),
  );

  const upEmail = email();
  const upPassword = password('new-password');
  const upForm = h(
    'form',
    { class: 'stack', 'aria-label': 'Create an account' },
    field('E-mail', upEmail, 'email'),
    field('Password', upPassword, 'password', passwordHint),
    h('button', { type: 'submit' }, 'Sign up'),
    h('div', { class: 'form-error', role: 'alert' }),
  );
  const verifyEmail = email();
  const verifyCode = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', required: true });
  const verifyForm = h(
    'form',
    { class: 'stack', 'aria-label': 'Verify your e-mail' },
    field('E-mail', verifyEmail, 'email'),
    field('Verification code', verifyCode, 'code', 'Sent to your e-mail (locally: the outbox).'),
    h('button', { type: 'submit' }, 'Verify e-mail'),
    h('div', { class: 'form-error', role: 'alert' }),
  );
  upForm.addEventListener(
    'submit',
    submitting(
      upForm,
      async () => {
        await auth.signUp(upEmail.value.trim(), upPassword.value);
        verifyEmail.value = upEmail.value;
        status.textContent = `A verification code was sent to ${upEmail.value}.`;
        verifyCode.focus();
      },
      labels,
    ),
  );
  verifyForm.addEventListener(
    'submit',
    submitting(
      verifyForm,
      async () => {
        await auth.confirmSignUp(verifyEmail.value.trim(), verifyCode.value.trim());
        signInEmail.value = verifyEmail.value;
        status.textContent = 'Your e-mail is verified. Sign in with your password.';
        signInPassword.focus();
      },
      labels,
    ),
  );

  const forgotEmail = email();
  const forgotForm = h(
    'form',
    { class: 'stack', 'aria-label': 'Forgot password' },
    field('E-mail', forgotEmail, 'email'),
    h('button', { type: 'submit', class: 'secondary' }, 'Send a reset code'),
    h('div', { class: 'form-error', role: 'alert' }),
  );
  const resetEmail = email();
  const resetCode = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', required: true });
  const resetPassword = password('new-password');
  const resetForm = h(
    'form',
    { class: 'stack', 'aria-label': 'Reset password' },
    field('E-mail', resetEmail, 'email'),
    field('Reset code', resetCode, 'code'),
    field('New password', resetPassword, 'password'),
    h('button', { type: 'submit' }, 'Set new password'),
    h('div', { class: 'form-error', role: 'alert' }),
  );
  forgotForm.addEventListener(
    'submit',
    submitting(
      forgotForm,
      async () => {
        await auth.forgotPassword(forgotEmail.value.trim());
        resetEmail.value = forgotEmail.value;
        status.textContent = `If ${forgotEmail.value} has an account, a reset code was sent to it.`;
        resetCode.focus();
      },
      labels,
    ),
  );
  resetForm.addEventListener(
    'submit',
    submitting(
      resetForm,
      async () => {
        await auth.confirmForgotPassword(resetEmail.value.trim(), resetCode.value.trim(), resetPassword.value);
        signInEmail.value = resetEmail.value;
        status.textContent = 'Password changed. Sign in with the new one.';
        signInPassword.focus();
      },
      { ...labels, password: 'New password' },
    ),
  );

  replace(
    root,
    h('h1', null, 'Sign in to UCX Cloud'),
    status,
    demo.users.length > 0
      ? section(
          'Demo users (local cloud)',
          h('p', { class: 'hint' }, 'Each button signs in with that user’s local token.'),
          demoList,
        )
      : null,
    h(
      'div',
      { class: 'split' },
      section('Sign in', signInForm, challengeForm, enrolment),
      section('New here?', upForm, verifyForm),
    ),
    section('Forgot your password?', h('div', { class: 'split' }, forgotForm, resetForm)),
    demo.users.length > 0
      ? h(
          'p',
          { class: 'hint' },
          'Locally, e-mails land in the ',
          h('a', { href: '/local/outbox', target: '_blank', rel: 'noopener' }, 'outbox'),
          '.',
        )
      : null,
  );
}
