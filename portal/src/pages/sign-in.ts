/**
 * Sign-in. Locally: pick a demo user, or use the local auth flows (sign-up with an e-mailed code,
 * password reset) that mimic Cognito's; the codes land in the local outbox. In the cloud the same
 * forms would talk to Cognito (not built yet).
 */
import { api } from '../api';
import { field, h, replace } from '../dom';
import { roleNames, sessionFromToken, type Session } from '../session';
import { section, submitting } from '../ui';

interface DemoUser {
  label: string;
  token: string;
}

const labels = { email: 'E-mail', password: 'Password', code: 'Verification code' };

export async function signInPage(root: HTMLElement, signIn: (session: Session) => void): Promise<void> {
  const demo = await api<{ users: DemoUser[] }>('GET', '/local/auth/demo-users').catch(() => ({ users: [] as DemoUser[] }));
  const accept = (token: string, label?: string) => {
    const session = sessionFromToken(token, label);
    if (!session) throw new Error('This sign-in has no portal role (back office, support, reseller or customer).');
    signIn(session);
  };

  const demoList = h(
    'ul',
    { class: 'demo-users' },
    demo.users.map((user) => {
      const role = sessionFromToken(user.token)?.role;
      const button = h('button', { type: 'button', class: 'secondary' }, user.label, role ? h('small', null, ` ${roleNames[role]}`) : null);
      button.addEventListener('click', () => accept(user.token, user.label));
      return h('li', null, button);
    }),
  );

  const status = h('p', { class: 'notice', 'aria-live': 'polite' });
  const email = () => h('input', { type: 'email', autocomplete: 'username', required: true });
  const password = (autocomplete: string) => h('input', { type: 'password', autocomplete, required: true, minlength: '8' });

  const signInEmail = email();
  const signInPassword = password('current-password');
  const signInForm = h('form', { class: 'stack', 'aria-label': 'Sign in' }, field('E-mail', signInEmail, 'email'), field('Password', signInPassword, 'password'), h('button', { type: 'submit' }, 'Sign in'), h('div', { class: 'form-error', role: 'alert' }));
  signInForm.addEventListener(
    'submit',
    submitting(signInForm, async () => accept((await api<{ token: string }>('POST', '/local/auth/sign-in', { email: signInEmail.value, password: signInPassword.value })).token, signInEmail.value), labels),
  );

  const upEmail = email();
  const upPassword = password('new-password');
  const upForm = h('form', { class: 'stack', 'aria-label': 'Create an account' }, field('E-mail', upEmail, 'email'), field('Password', upPassword, 'password', 'At least 8 characters, with a letter and a digit.'), h('button', { type: 'submit' }, 'Sign up'), h('div', { class: 'form-error', role: 'alert' }));
  const verifyEmail = email();
  const verifyCode = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', required: true });
  const verifyForm = h('form', { class: 'stack', 'aria-label': 'Verify your e-mail' }, field('E-mail', verifyEmail, 'email'), field('Verification code', verifyCode, 'code', 'Sent to your e-mail (locally: the outbox).'), h('button', { type: 'submit' }, 'Verify e-mail'), h('div', { class: 'form-error', role: 'alert' }));
  upForm.addEventListener(
    'submit',
    submitting(
      upForm,
      async () => {
        await api('POST', '/local/auth/sign-up', { email: upEmail.value, password: upPassword.value });
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
        await api('POST', '/local/auth/verify', { email: verifyEmail.value, code: verifyCode.value });
        signInEmail.value = verifyEmail.value;
        status.textContent = 'Your e-mail is verified. Sign in with your password.';
        signInPassword.focus();
      },
      labels,
    ),
  );

  const forgotEmail = email();
  const forgotForm = h('form', { class: 'stack', 'aria-label': 'Forgot password' }, field('E-mail', forgotEmail, 'email'), h('button', { type: 'submit', class: 'secondary' }, 'Send a reset code'), h('div', { class: 'form-error', role: 'alert' }));
  const resetEmail = email();
  const resetCode = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', required: true });
  const resetPassword = password('new-password');
  const resetForm = h('form', { class: 'stack', 'aria-label': 'Reset password' }, field('E-mail', resetEmail, 'email'), field('Reset code', resetCode, 'code'), field('New password', resetPassword, 'password'), h('button', { type: 'submit' }, 'Set new password'), h('div', { class: 'form-error', role: 'alert' }));
  forgotForm.addEventListener(
    'submit',
    submitting(forgotForm, async () => {
      await api('POST', '/local/auth/forgot-password', { email: forgotEmail.value });
      resetEmail.value = forgotEmail.value;
      status.textContent = `If ${forgotEmail.value} has an account, a reset code was sent to it.`;
      resetCode.focus();
    }, labels),
  );
  resetForm.addEventListener(
    'submit',
    submitting(resetForm, async () => {
      await api('POST', '/local/auth/reset-password', { email: resetEmail.value, code: resetCode.value, password: resetPassword.value });
      signInEmail.value = resetEmail.value;
      status.textContent = 'Password changed. Sign in with the new one.';
      signInPassword.focus();
    }, { ...labels, password: 'New password' }),
  );

  replace(
    root,
    h('h1', null, 'Sign in to UCX Cloud'),
    status,
    demo.users.length > 0 ? section('Demo users (local cloud)', h('p', { class: 'hint' }, 'Each button signs in with that user’s local token.'), demoList) : null,
    h('div', { class: 'split' }, section('Sign in', signInForm), section('New here?', upForm, verifyForm)),
    section('Forgot your password?', h('div', { class: 'split' }, forgotForm, resetForm)),
    demo.users.length > 0 ? h('p', { class: 'hint' }, 'Locally, e-mails land in the ', h('a', { href: '/local/outbox', target: '_blank', rel: 'noopener' }, 'outbox'), '.') : null,
  );
}
