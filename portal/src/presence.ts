/**
 * The Presence Service in words, and the way back from Microsoft's sign-in: the page to return to
 * (`returnTo`) and the outcome the cloud's callback appends to it (`?presence=connected` or
 * `?presence=error&reason=…`). The router keeps its route in the hash, so the parameters are read
 * from the query and, should a callback append them after the fragment, from the hash's own query.
 */

export interface PresenceTenant {
  readonly tenantId: string;
  readonly connectedBy: string;
  readonly connectedAt: string;
  /** Microsoft no longer honours the grant (consent withdrawn, token revoked): connecting again mends it */
  readonly needsReconnect?: boolean;
}

/** `GET`/`PATCH /v1/accounts/{accountId}/presence` */
export interface PresenceState {
  readonly enabled: boolean;
  readonly tenant?: PresenceTenant;
  /** the suite's live sessions, when the service counts them */
  readonly sessions?: number;
}

export type PresenceReturn =
  | { readonly outcome: 'connected' }
  | { readonly outcome: 'error'; readonly reason: string | undefined };

/** The longest reason shown: it arrives in an address anyone can craft, so it is shown as plain text and cut short. */
const REASON_MAX_CHARS = 300;

/** Splits `#/accounts/acc_1?presence=connected` into the route and its query. */
function splitHash(hash: string): { route: string; params: URLSearchParams | undefined } {
  const at = hash.indexOf('?');
  return at < 0
    ? { route: hash, params: undefined }
    : { route: hash.slice(0, at), params: new URLSearchParams(hash.slice(at + 1)) };
}

function fromParams(params: URLSearchParams | undefined): PresenceReturn | undefined {
  const outcome = params?.get('presence');
  if (outcome === 'connected') return { outcome };
  if (outcome !== 'error') return undefined;
  const reason = params?.get('reason')?.replace(/\s+/g, ' ').trim();
  return { outcome, reason: reason ? reason.slice(0, REASON_MAX_CHARS) : undefined };
}

/** The outcome of a Microsoft 365 connection the address carries, if any. */
export function readPresenceReturn(href: string): PresenceReturn | undefined {
  const url = new URL(href);
  return fromParams(url.searchParams) ?? fromParams(splitHash(url.hash).params);
}

/** `reason` is removed only beside `presence`: on its own it is no parameter of ours. */
function withoutOutcome(params: URLSearchParams): boolean {
  if (!params.has('presence')) return false;
  params.delete('presence');
  params.delete('reason');
  return true;
}

/**
 * The address without the outcome parameters: the `returnTo` sent when connecting, and what the
 * address bar is set to once the outcome is shown. Everything else (route, other parameters) stays.
 */
export function withoutPresenceReturn(href: string): string {
  const url = new URL(href);
  withoutOutcome(url.searchParams);
  const { route, params } = splitHash(url.hash);
  if (params && withoutOutcome(params)) {
    const rest = params.toString();
    url.hash = rest ? `${route}?${rest}` : route;
  }
  return url.href;
}

/** Whether "Connect Microsoft 365" is offered: the service on, and no tenant or one Microsoft no longer accepts. */
export const mayConnect = (state: PresenceState): boolean =>
  state.enabled && (state.tenant === undefined || state.tenant.needsReconnect === true);

/** The status sentence for the outcome. */
export function presenceReturnText(result: PresenceReturn): string {
  if (result.outcome === 'connected') return 'Microsoft 365 tenant connected.';
  return result.reason
    ? `Microsoft 365 was not connected: ${result.reason}`
    : 'Microsoft 365 was not connected. Try again, or ask the tenant’s administrator to consent.';
}

/** The authorize URL to navigate to, when it is a web address (never `javascript:` or the like). */
export function authorizeTarget(authorizeUrl: unknown): string | undefined {
  if (typeof authorizeUrl !== 'string') return undefined;
  try {
    const url = new URL(authorizeUrl);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

export function presenceSwitchText(state: PresenceState): string {
  if (state.tenant?.needsReconnect)
    return state.enabled
      ? 'The Presence Service is on, but Microsoft 365 no longer accepts the tenant’s connection: no presence is served until an administrator connects it again.'
      : 'The Presence Service is off, and Microsoft 365 no longer accepts the tenant’s connection: turn the service on and connect again, or disconnect.';
  if (state.enabled)
    return state.tenant
      ? 'The Presence Service is on: the suite’s sessions are served from the connected tenant.'
      : 'The Presence Service is on. Connect the account’s Microsoft 365 tenant to serve presence.';
  return state.tenant
    ? 'The Presence Service is off: the tenant stays connected, and no session is served until it is on again.'
    : 'The Presence Service is off.';
}

/** The day in UTC (`2026-03-01`), or the text as given when it is no date. */
const dayOf = (iso: string): string => {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : at.toISOString().slice(0, 10);
};

export function connectionText(tenant: PresenceTenant): string {
  return `Connected to tenant ${tenant.tenantId} by ${tenant.connectedBy}${tenant.connectedAt ? ` on ${dayOf(tenant.connectedAt)}` : ''}`;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** The API's answer read defensively: undefined when it is not the contract's shape (never read as "not connected"). */
export function presenceStateOf(body: unknown): PresenceState | undefined {
  if (!isRecord(body) || typeof body['enabled'] !== 'boolean') return undefined;
  const tenant = body['tenant'];
  const sessions = body['sessions'];
  if (tenant !== undefined && tenant !== null) {
    if (!isRecord(tenant) || typeof tenant['tenantId'] !== 'string') return undefined;
  }
  return {
    enabled: body['enabled'],
    ...(isRecord(tenant) && {
      tenant: {
        tenantId: String(tenant['tenantId']),
        connectedBy: typeof tenant['connectedBy'] === 'string' ? tenant['connectedBy'] : 'an administrator',
        connectedAt: typeof tenant['connectedAt'] === 'string' ? tenant['connectedAt'] : '',
        ...(tenant['needsReconnect'] === true && { needsReconnect: true }),
      },
    }),
    ...(typeof sessions === 'number' && Number.isInteger(sessions) && sessions >= 0 && { sessions }),
  };
}

const liveSessions = (n: number): string => (n === 1 ? '1 live session' : `${n} live sessions`);

export function sessionsText(sessions: number): string {
  return `${liveSessions(sessions)} of the suite`;
}

/** "the suite's live sessions are closed", counted when the count is known. */
function sessionsClosed(sessions: number | undefined): string {
  if (sessions === undefined) return 'the suite’s live sessions are closed';
  if (sessions === 0) return 'no session of the suite is live now';
  return `the suite’s ${liveSessions(sessions)} ${sessions === 1 ? 'is' : 'are'} closed`;
}

/** The words of the confirmation before switching off while a tenant is connected. */
export function switchOffText(tenant: PresenceTenant, sessions: number | undefined): string {
  return `The connection to tenant ${tenant.tenantId} is kept, but ${sessionsClosed(sessions)}, and the suite gets no presence until the service is turned on again.`;
}

/** The words of the confirmation before disconnecting: what is closed and what is erased. */
export function disconnectText(tenant: PresenceTenant, sessions: number | undefined): string {
  const closed = sessionsClosed(sessions);
  return `${closed.charAt(0).toUpperCase()}${closed.slice(1)}, and the account’s Microsoft 365 tokens, presence subscriptions and every stored presence from tenant ${tenant.tenantId} are erased. Connecting again takes a Microsoft 365 administrator’s consent.`;
}
