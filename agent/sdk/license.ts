/**
 * The licence, verified offline: a compact JWS (ES256, `typ: ucx-license+jwt`) checked against
 * the JWKS the agent pinned at activation, never against keys fetched later. Its `exp` is the
 * grace period: until then the last good licence keeps the suite licensed with no cloud at all.
 */
import { createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import * as z from 'zod';
import { LicenseRejectedError } from './errors';
import type { Jwks } from './types';

export const LICENSE_ISSUER = 'ucx-cloud';
export const LICENSE_TYPE = 'ucx-license+jwt';

const careSchema = z.object({ level: z.enum(['basic', 'gold', 'platinum']), expiresAt: z.string() });

/** One entitlement a product's capacity is drawn from. */
export const licenseTermSchema = z.object({
  quantity: z.number().int(),
  kind: z.enum(['perpetual', 'subscription']),
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
});

/** Allocation above capacity, kept until `enforcedAt`. */
export const licenseShortfallSchema = z.object({ quantity: z.number().int().nonnegative(), enforcedAt: z.string() });

/**
 * A product of the licence. `terms` and `shortfall` are additive in v1: a cloud that does not send
 * them yet, or sends a shape this agent does not know, leaves them out rather than refusing the licence.
 */
export const licenseProductSchema = z.object({
  product: z.string().min(1),
  capacity: z.number().int().nonnegative(),
  kind: z.enum(['perpetual', 'subscription']),
  expiresAt: z.string().optional(),
  /** the Care covering the product now; absent once it has lapsed */
  care: careSchema.optional(),
  terms: z.array(licenseTermSchema).optional().catch(undefined),
  shortfall: licenseShortfallSchema.optional().catch(undefined),
});

/** The claims the agent enforces; unknown claims are dropped, so later additions do not break it. */
export const licenseClaimsSchema = z.object({
  iss: z.string(),
  sub: z.string(),
  acc: z.string(),
  iat: z.number(),
  exp: z.number(),
  ver: z.number().int(),
  products: z.array(licenseProductSchema),
  /** `intervalSeconds`: how often to send the cycle's beats; absent from an older cloud's licence (then the default cycle) */
  telemetry: z.object({
    enabled: z.boolean(),
    intervalSeconds: z.number().int().positive().optional().catch(undefined),
  }),
  nextPollSeconds: z.number().positive(),
});

export type LicenseTerm = z.infer<typeof licenseTermSchema>;
export type LicenseShortfall = z.infer<typeof licenseShortfallSchema>;
export type LicenseProduct = z.infer<typeof licenseProductSchema>;
export type LicenseClaims = z.infer<typeof licenseClaimsSchema>;

/**
 * Verifies `jws` against `jwks` at `now`. Throws `LicenseRejectedError` with a message an
 * administrator can act on: tampered, signed by an unknown key, for another installation, or
 * expired (past its grace period).
 */
export async function verifyLicense(
  jws: string,
  jwks: Jwks,
  options: { installationId?: string; now?: Date } = {},
): Promise<LicenseClaims> {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(jws).kid;
  } catch {
    throw new LicenseRejectedError('malformed', 'The licence file is not a licence (not a compact JWS).');
  }
  if (!jwks.keys.some((key) => key['kid'] === kid)) {
    throw new LicenseRejectedError(
      'unknown-key',
      `The licence is signed by key "${kid ?? '(none)'}", which is not one of the ${jwks.keys.length} key(s) pinned at activation; it was not issued by the UCX cloud this installation trusts.`,
    );
  }
  const now = options.now ?? new Date();
  try {
    const { payload } = await jwtVerify(jws, createLocalJWKSet(jwks as never), {
      issuer: LICENSE_ISSUER,
      typ: LICENSE_TYPE,
      algorithms: ['ES256'],
      currentDate: now,
      clockTolerance: 0,
    });
    const parsed = licenseClaimsSchema.safeParse(payload);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new LicenseRejectedError(
        'malformed',
        `The licence does not hold what a v1 licence must: ${issue?.path.join('.') || '(claims)'} ${issue?.message ?? ''}`.trim(),
      );
    }
    const claims = parsed.data;
    if (options.installationId && claims.sub !== options.installationId) {
      throw new LicenseRejectedError(
        'wrong-installation',
        `The licence is for installation ${claims.sub}, not for this one (${options.installationId}).`,
      );
    }
    return claims;
  } catch (error) {
    if (error instanceof LicenseRejectedError) throw error;
    if (error instanceof errors.JWTExpired) {
      const exp = (error.payload as { exp?: number }).exp;
      const since = exp ? new Date(exp * 1000).toISOString() : 'an unknown date';
      throw new LicenseRejectedError(
        'expired',
        `The licence expired on ${since}: the offline grace period is over. Connect the installation to the UCX cloud (ucx-agent poll) or import a new offline activation.`,
      );
    }
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      throw new LicenseRejectedError(
        'bad-signature',
        'The licence signature does not verify: the licence file was altered.',
      );
    }
    throw new LicenseRejectedError('malformed', `The licence is not valid: ${(error as Error).message}`);
  }
}

/** Whole seconds of grace left (licence `exp` minus now), never negative. */
export function graceLeftSeconds(claims: Pick<LicenseClaims, 'exp'>, now: Date = new Date()): number {
  return Math.max(0, claims.exp - Math.floor(now.getTime() / 1000));
}
