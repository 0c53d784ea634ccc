/**
 * The account page's Presence Service: on or off, the Microsoft 365 tenant connected (through
 * Microsoft's sign-in and an administrator's consent) or not, and its disconnection. The section
 * loads on its own; its controls are built once and shown or hidden by state, so focus stays put.
 */
import { api } from '../api';
import { field, h } from '../dom';
import {
  authorizeTarget,
  connectionText,
  disconnectText,
  mayConnect,
  presenceReturnText,
  presenceStateOf,
  presenceSwitchText,
  readPresenceReturn,
  sessionsText,
  switchOffText,
  withoutPresenceReturn,
  type PresenceState,
} from '../presence';
import { ApiError } from '../problem';
import { clearError, section, showError, submitting } from '../ui';

interface Confirmation {
  readonly title: string;
  readonly text: string;
  readonly confirmLabel: string;
  readonly opener: HTMLElement;
  /** runs on "Yes"; its error stays in the dialog; it returns what takes focus once the dialog closes */
  readonly action: () => Promise<HTMLElement>;
}

/** One modal confirmation (a native dialog: focus kept inside, Escape cancels), its words set per question. */
function confirmationDialog(): { readonly dialog: HTMLDialogElement; ask(question: Confirmation): void } {
  const title = h('h3', { id: 'presence-confirm-title' });
  const text = h('p', { id: 'presence-confirm-text' });
  const yes = h('button', { type: 'submit' });
  const cancel = h('button', { type: 'button', class: 'secondary', autofocus: true }, 'Cancel');
  const form = h(
    'form',
    { class: 'stack' },
    title,
    text,
    h('div', { class: 'row' }, yes, cancel),
    h('div', { class: 'form-error', role: 'alert' }),
  );
  const dialog = h(
    'dialog',
    { class: 'confirm', 'aria-labelledby': title.id, 'aria-describedby': text.id, 'data-testid': 'presence-confirm' },
    form,
  );
  let question: Confirmation | undefined;
  let focusAfter: HTMLElement | undefined;
  form.addEventListener(
    'submit',
    submitting(form, async () => {
      if (!question) return;
      focusAfter = await question.action();
      dialog.close();
    }),
  );
  cancel.addEventListener('click', () => dialog.close());
  // Escape while the answer is awaited would hide a request still under way.
  dialog.addEventListener('cancel', (event) => {
    if (yes.disabled) event.preventDefault();
  });
  dialog.addEventListener('close', () => {
    (focusAfter ?? question?.opener)?.focus();
    question = undefined;
    focusAfter = undefined;
  });
  return {
    dialog,
    ask(next) {
      question = next;
      title.textContent = next.title;
      text.textContent = next.text;
      yes.textContent = next.confirmLabel;
      clearError(form);
      dialog.showModal();
    },
  };
}

export function presenceSection(accountId: string, homeRegion: string): HTMLElement {
  const path = `/v1/accounts/${encodeURIComponent(accountId)}/presence`;
  let state: PresenceState | undefined;

  // What each action did, for screen readers and sighted users alike.
  const announce = h('p', { class: 'notice', role: 'status', tabindex: '-1', 'data-testid': 'presence-status' });
  const returnError = h('div', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true });

  const loading = h('p', { class: 'loading' }, 'Loading the Presence Service…');
  const failedAlert = h('div', { class: 'form-error', role: 'alert' });
  const retry = h(
    'button',
    { type: 'button', class: 'secondary', 'aria-label': 'Retry loading the Presence Service' },
    'Retry',
  );
  const failed = h('div', { class: 'stack', hidden: true }, failedAlert, retry);

  const stateText = h('p', { class: 'hint', id: 'presence-state' });
  const toggle = h('input', { type: 'checkbox', role: 'switch', 'aria-describedby': stateText.id });
  const switchBox = h(
    'div',
    { class: 'stack' },
    h('label', { class: 'switch' }, toggle, ' Presence Service'),
    stateText,
    h('div', { class: 'form-error', role: 'alert' }),
  );

  const loginHint = h('input', { type: 'email', autocomplete: 'email', spellcheck: 'false' });
  const connectButton = h('button', { type: 'submit' }, 'Connect Microsoft 365');
  const connectForm = h(
    'form',
    { class: 'stack', 'aria-label': 'Connect Microsoft 365', hidden: true },
    field(
      'Microsoft 365 administrator e-mail (optional)',
      loginHint,
      'loginHint',
      'Microsoft’s sign-in opens with it filled in. An administrator of the tenant consents for the whole organisation.',
    ),
    connectButton,
    h('div', { class: 'form-error', role: 'alert' }),
  );

  const connectionLine = h('p', { 'data-testid': 'presence-connection' });
  const sessionsLine = h('p', { 'data-testid': 'presence-sessions', hidden: true });
  const disconnect = h('button', { type: 'button', class: 'secondary', 'aria-haspopup': 'dialog' }, 'Disconnect');
  const reconnect = h(
    'p',
    { class: 'stale-notice', 'data-testid': 'presence-reconnect', hidden: true },
    'Microsoft 365 no longer accepts this connection (its consent was withdrawn or its sign-in revoked): connect it again, or disconnect it.',
  );
  const connected = h('div', { class: 'stack', hidden: true }, connectionLine, reconnect, sessionsLine, disconnect);

  const body = h('div', { class: 'stack', hidden: true }, switchBox, connected, connectForm);
  const confirmation = confirmationDialog();

  const show = (next: PresenceState) => {
    state = next;
    toggle.checked = next.enabled;
    stateText.textContent = presenceSwitchText(next);
    connectForm.hidden = !mayConnect(next);
    connected.hidden = next.tenant === undefined;
    connectionLine.textContent = next.tenant ? `${connectionText(next.tenant)}.` : '';
    reconnect.hidden = next.tenant?.needsReconnect !== true;
    sessionsLine.hidden = next.sessions === undefined;
    sessionsLine.textContent = next.sessions === undefined ? '' : `${sessionsText(next.sessions)}.`;
  };
  const busy = (on: boolean) => {
    toggle.disabled = on;
    disconnect.disabled = on;
  };
  const said = (text: string) => {
    announce.textContent = text;
  };

  const load = async (focusAfter: boolean): Promise<void> => {
    loading.hidden = false;
    failed.hidden = true;
    retry.disabled = true;
    try {
      const next = presenceStateOf(await api<unknown>('GET', path));
      if (!next) throw new Error('The service’s answer could not be read.');
      show(next);
      loading.hidden = true;
      body.hidden = false;
      if (focusAfter) toggle.focus();
    } catch (error) {
      // Never read as "not connected": the state is unknown until a load succeeds.
      loading.hidden = true;
      body.hidden = true;
      failed.hidden = false;
      showError(failed, error instanceof ApiError || error instanceof Error ? error : new Error(String(error)));
      failedAlert.prepend('The Presence Service’s state could not be loaded. ');
      if (focusAfter) retry.focus();
    } finally {
      retry.disabled = false;
    }
  };
  retry.addEventListener('click', () => void load(true));

  const setEnabled = async (enabled: boolean): Promise<void> => {
    busy(true);
    try {
      const next = presenceStateOf(await api<unknown>('PATCH', path, { enabled }));
      show(next ?? { ...state, enabled });
      said(
        enabled
          ? 'Presence Service turned on.'
          : next?.tenant
            ? 'Presence Service turned off: the tenant stays connected, and the suite’s sessions are closed.'
            : 'Presence Service turned off.',
      );
    } finally {
      busy(false);
    }
  };
  toggle.addEventListener('change', () => {
    if (!state) return;
    clearError(switchBox);
    const wanted = toggle.checked;
    if (!wanted && state.enabled && state.tenant) {
      toggle.checked = true;
      confirmation.ask({
        title: 'Turn the Presence Service off?',
        text: switchOffText(state.tenant, state.sessions),
        confirmLabel: 'Yes, turn off',
        opener: toggle,
        action: async () => {
          await setEnabled(false);
          return toggle;
        },
      });
      return;
    }
    void setEnabled(wanted).catch((error: unknown) => {
      toggle.checked = state?.enabled ?? !wanted;
      showError(switchBox, error);
    });
  });

  connectForm.addEventListener(
    'submit',
    submitting(
      connectForm,
      async () => {
        const hint = loginHint.value.trim();
        const created = await api<{ authorizeUrl?: unknown }>('POST', `${path}/connections`, {
          ...(hint && { loginHint: hint }),
          returnTo: withoutPresenceReturn(location.href),
        });
        const target = authorizeTarget(created?.authorizeUrl);
        if (!target) throw new Error('The service gave no Microsoft sign-in address. Please try again.');
        said('Opening the Microsoft 365 sign-in…');
        location.assign(target);
      },
      { loginHint: 'Microsoft 365 administrator e-mail', enabled: 'Presence Service' },
    ),
  );

  disconnect.addEventListener('click', () => {
    const tenant = state?.tenant;
    if (!state || !tenant) return;
    confirmation.ask({
      title: `Disconnect tenant ${tenant.tenantId}?`,
      text: disconnectText(tenant, state.sessions),
      confirmLabel: 'Yes, disconnect',
      opener: disconnect,
      action: async () => {
        await api('DELETE', `${path}/connections`);
        const enabled = state?.enabled ?? false;
        show({ enabled });
        said(`Disconnected from tenant ${tenant.tenantId}: its tokens, subscriptions and stored presence are erased.`);
        return enabled ? loginHint : toggle;
      },
    });
  });

  // Back from Microsoft's sign-in: say how it went once, and take the outcome out of the address.
  const returned = readPresenceReturn(location.href);
  if (returned) {
    history.replaceState(history.state, '', withoutPresenceReturn(location.href));
    const outcome = returned.outcome === 'connected' ? announce : returnError;
    outcome.textContent = presenceReturnText(returned);
    outcome.hidden = false;
    // After the router has put the page in place and settled focus.
    setTimeout(() => {
      if (outcome.isConnected) outcome.focus();
    }, 0);
  }

  void load(false);
  return section(
    'Presence Service',
    h(
      'p',
      null,
      'The Presence Service shows the suite’s operators the Microsoft Teams presence (available, busy, in a call, away…) of the users they watch. ',
      `It processes only the Teams presence of those users, in this account’s home region (${homeRegion.toUpperCase()}), keeps it only while someone watches them, and erases it, with the tenant’s tokens, when the tenant is disconnected.`,
    ),
    announce,
    returnError,
    loading,
    failed,
    body,
    confirmation.dialog,
  );
}
