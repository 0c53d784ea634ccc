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

function base64UrlJson(part: string): Record<string, unknown> {
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

/** Reads the claims (the API verifies the signature; the portal only decides what to show). */
export function sessionFromToken(token: string, label?: string): Session | undefined {
  try {
    const claims = base64UrlJson(token.split('.')[1] ?? '');
    const groups = Array.isArray(claims['cognito:groups']) ? (claims['cognito:groups'] as unknown[]).map(String) : [];
    const role = rolesByPrecedence.find((r) => groups.includes(r));
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

export function loadSession(): Session | undefined {
  const raw = sessionStorage.getItem(storageKey);
  if (!raw) return undefined;
  const { token, label } = JSON.parse(raw) as { token: string; label?: string };
  const session = sessionFromToken(token, label);
  return session && session.expiresAt > Date.now() ? session : undefined;
}

export function saveSession(session: Session | undefined): void {
  if (session) sessionStorage.setItem(storageKey, JSON.stringify({ token: session.token, label: session.label }));
  else sessionStorage.removeItem(storageKey);
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
