/** The stand-in's seeded tenant: `contoso.example`, user1…user50 and an administrator. */

export const tenantDomain = 'contoso.example';
export const tenantId = '6f2d1c3a-8b4e-4f7a-9c21-0d5e7a3b9f14';

/** The registered application (the Presence Service) the stand-in knows. */
export const presenceApp = {
  clientId: '3c8f5b2e-1d4a-4e6b-8a7c-5f9e0b1d2c3a',
  clientSecret: 'local-presence-secret',
} as const;

/** What the administrator has consented to, for the whole tenant. */
export const consentedScopes = ['Presence.Read.All', 'User.ReadBasic.All'] as const;

export interface DirectoryUser {
  readonly id: string;
  readonly userPrincipalName: string;
  readonly displayName: string;
}

export const administrator: DirectoryUser = {
  id: 'a0000000-0000-4000-8000-000000000000',
  userPrincipalName: `admin@${tenantDomain}`,
  displayName: 'Contoso Administrator',
};

/** user1…user50 as DESIGN.md seeds them; a bigger directory (`directorySize`) continues the pattern. */
export const seededUsers = 50;

function numbered(n: number): DirectoryUser {
  return {
    id: `a0000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    userPrincipalName: `user${n}@${tenantDomain}`,
    displayName: `User ${n}`,
  };
}

export const users: readonly DirectoryUser[] = [
  administrator,
  ...Array.from({ length: seededUsers }, (_, i) => numbered(i + 1)),
];

/** A user by id or UPN (case-insensitive, as Graph matches both), in a directory of `size` numbered users. */
export function findUser(idOrUpn: string, size = seededUsers): DirectoryUser | undefined {
  const wanted = idOrUpn.toLowerCase();
  if (wanted === administrator.id || wanted === administrator.userPrincipalName) return administrator;
  const byUpn = new RegExp(`^user([1-9]\\d{0,11})@${tenantDomain.replace('.', '\\.')}$`).exec(wanted);
  const byId = /^a0000000-0000-4000-8000-(\d{12})$/.exec(wanted);
  const n = Number(byUpn?.[1] ?? byId?.[1] ?? 0);
  return n >= 1 && n <= size ? numbered(n) : undefined;
}

/** The tenant segment of an identity platform path: its domain, its id, or `organizations`. */
export function knownTenant(segment: string): boolean {
  const s = segment.toLowerCase();
  return s === tenantDomain || s === tenantId || s === 'organizations';
}
