/**
 * The licence, verified offline: a compact JWS (ES256, `typ: ucx-license+jwt`) checked against
 * the JWKS the agent pinned at activation, never against keys fetched later. Its `exp` is the
 * grace period: until then the last good licence keeps the suite licensed with no cloud at all.
 */
import { createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { LicenseRejectedError } from './errors';
import type { Jwks } from './types';

export const LICENSE_ISSUER = 'ucx-cloud';
export const LICENSE_TYPE = 'ucx-license+jwt';

export interface LicenseProduct {
  product: string;
  capacity: number;
  kind: 'perpetual' | 'subscription';
  expiresAt?: string;
  care?: { level: 'basic' | 'gold' | 'platinum'; expiresAt: string };
}

export interface LicenseClaims {
  iss: string;
  sub: string;
  acc: string;
  iat: number;
  exp: number;
  ver: number;
  products: LicenseProduct[];
  telemetry: { enabled: boolean };
  nextPollSeconds: number;
}

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
    const claims = payload as unknown as LicenseClaims;
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
