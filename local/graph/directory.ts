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

export const users: readonly DirectoryUser[] = [
  administrator,
  ...Array.from({ length: 50 }, (_, i) => ({
    id: `a0000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
    userPrincipalName: `user${i + 1}@${tenantDomain}`,
    displayName: `User ${i + 1}`,
  })),
];

/** A user by id or UPN (case-insensitive, as Graph matches both). */
export function findUser(idOrUpn: string): DirectoryUser | undefined {
  const wanted = idOrUpn.toLowerCase();
  return users.find((u) => u.id === wanted || u.userPrincipalName.toLowerCase() === wanted);
}

/** The tenant segment of an identity platform path: its domain, its id, or `organizations`. */
export function knownTenant(segment: string): boolean {
  const s = segment.toLowerCase();
  return s === tenantDomain || s === tenantId || s === 'organizations';
}
