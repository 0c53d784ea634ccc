/** Who is signed in: the ID token (local or Cognito), its claims and the role that decides what the portal shows. */
export type Role = 'backoffice' | 'support' | 'reseller' | 'customer';

export interface Session {
  readonly token: string;
  readonly sub: string;
  readonly role: Role;
  readonly label: string;
  readonly accountId?: string;
  readonly resellerId?: string;
  readonly expiresAt: number;
}

const rolesByPrecedence: readonly Role[] = ['backoffice', 'support', 'reseller', 'customer'];
const storageKey = 'ucx.session';
const endedKey = 'ucx.session-ended';
const returnKey = 'ucx.return-to';

function base64UrlJson(part: string): Record<string, unknown> {
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

/**
 * Whether the token says its user must add an authenticator first: the staff policy withholds the
 * back-office and support groups until TOTP is on (docs/identity.md).
 */
export function mfaSetupRequired(token: string): boolean {
  try {
    return base64UrlJson(token.split('.')[1] ?? '')['ucx:mfa_setup_required'] === 'true';
  } catch {
    return false;
  }
}

/** Reads the claims (the API verifies the signature; the portal only decides what to show). */
export function sessionFromToken(token: string, label?: string): Session | undefined {
  try {
    const claims = base64UrlJson(token.split('.')[1] ?? '');
    const groups = Array.isArray(claims['cognito:groups']) ? (claims['cognito:groups'] as unknown[]).map(String) : [];
    // A self-signed-up person is in no group yet (Cognito): a customer without an account.
    const role = rolesByPrecedence.find((r) => groups.includes(r)) ?? (groups.length === 0 ? 'customer' : undefined);
    if (!role) return undefined;
    const accountId = typeof claims['custom:accountId'] === 'string' ? claims['custom:accountId'] : undefined;
    const resellerId = typeof claims['custom:resellerId'] === 'string' ? claims['custom:resellerId'] : undefined;
    const sub = String(claims['sub'] ?? '');
    return {
      token,
      sub,
      role,
      label: label ?? (typeof claims['email'] === 'string' ? claims['email'] : sub),
      ...(accountId && { accountId }),
      ...(resellerId && { resellerId }),
      expiresAt: Number(claims['exp'] ?? 0) * 1000,
    };
  } catch {
    return undefined;
  }
}

interface Stored {
  token: string;
  label?: string;
  /** to get a new ID token before this one expires (5 minutes), for 12 hours */
  refreshToken?: string;
  /** Cognito's, for the user's own operations (adding an authenticator) */
  accessToken?: string;
}

const stored = (): Stored | undefined => {
  const raw = sessionStorage.getItem(storageKey);
  return raw ? (JSON.parse(raw) as Stored) : undefined;
};

export function loadSession(): Session | undefined {
  const s = stored();
  if (!s) return undefined;
  const session = sessionFromToken(s.token, s.label);
  return session && session.expiresAt > Date.now() ? session : undefined;
}

/** The refresh token of the stored sign-in, expired or not. */
export function loadRefreshToken(): { refreshToken: string; label?: string } | undefined {
  const s = stored();
  return s?.refreshToken ? { refreshToken: s.refreshToken, ...(s.label && { label: s.label }) } : undefined;
}

/** Stores the session; a refresh or access token given is kept, one not given keeps the stored one. */
export function saveSession(session: Session | undefined, refreshToken?: string, accessToken?: string): void {
  if (!session) {
    sessionStorage.removeItem(storageKey);
    return;
  }
  const keep = refreshToken ?? stored()?.refreshToken;
  const access = accessToken ?? stored()?.accessToken;
  sessionStorage.setItem(
    storageKey,
    JSON.stringify({
      token: session.token,
      label: session.label,
      ...(keep && { refreshToken: keep }),
      ...(access && { accessToken: access }),
    }),
  );
}

/** The token for the user's own operations: Cognito's access token, else (locally) the ID token. */
export function loadAccessToken(): string | undefined {
  const s = stored();
  return s?.accessToken ?? s?.token;
}

/**
 * Remembers, across the return to sign-in (a reload too), that the session ended rather than was
 * signed out, and the page the person was on (`#/accounts/…`), to open again after signing in.
 */
export function markSessionEnded(page?: string): void {
  sessionStorage.setItem(endedKey, '1');
  const path = page?.replace(/^#/, '').split('?')[0] ?? '';
  if (page && path !== '' && path !== '/' && path !== '/sign-in') sessionStorage.setItem(returnKey, page);
}

/** The page the ended session was on, once. */
export function takeReturnPage(): string | undefined {
  const page = sessionStorage.getItem(returnKey) ?? undefined;
  sessionStorage.removeItem(returnKey);
  return page;
}

/** Whether a sign-in is stored, valid or not: one whose token expired is a session that ended. */
export function hasStoredSession(): boolean {
  return stored() !== undefined;
}

/** Whether the last session ended by itself (once: the notice is shown one time). */
export function takeSessionEnded(): boolean {
  const ended = sessionStorage.getItem(endedKey) === '1';
  sessionStorage.removeItem(endedKey);
  return ended;
}

export const roleNames: Record<Role, string> = {
  backoffice: 'Back office',
  support: 'Support',
  reseller: 'Reseller',
  customer: 'Customer',
};

/** Where a role lands after sign-in. */
export function homeOf(session: Session): string {
  switch (session.role) {
    case 'customer':
      return session.accountId ? `#/accounts/${session.accountId}` : '#/no-account';
    case 'reseller':
      return '#/customers';
    case 'backoffice':
      return '#/ops';
    case 'support':
      return '#/support';
  }
}
