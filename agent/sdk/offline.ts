/**
 * # Offline activation files (air-gapped sites)
 *
 * 1. The agent writes a **request file**: `{ request: { activationKey, publicKey, installation,
 *    createdAt }, signature, keyid }`, `signature` the base64url Ed25519 signature (pure Ed25519)
 *    over the UTF-8 bytes of the canonical JSON of `request` (object keys sorted by code unit,
 *    no white space, `undefined` members left out), `keyid` the RFC 7638 thumbprint of `publicKey`.
 * 2. Someone with network carries it to the portal, or the back office posts it to
 *    `POST /v1/accounts/{accountId}/offline-activations`; the answer is the **response file**:
 *    `{ installationId, accountId, region, license, jwks, nextPollSeconds, telemetry }`.
 * 3. The agent imports the response: it pins `jwks` and keeps the licence once it verifies.
 */
import { sign, verify, createPublicKey, type KeyObject } from 'node:crypto';
import { jwkThumbprint } from './signing';
import type { ActivationResponse, Ed25519PublicJwk, InstallationFacts } from './types';

export interface OfflineActivationRequest {
  request: {
    activationKey: string;
    publicKey: Ed25519PublicJwk;
    installation: InstallationFacts;
    createdAt: string;
  };
  signature: string;
  keyid: string;
}

export type OfflineActivationResponse = Required<Omit<ActivationResponse, 'endpoints'>> &
  Pick<ActivationResponse, 'endpoints'>;

/** Deterministic JSON: object keys sorted, no white space (the bytes the request signature covers). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export async function createOfflineRequest(
  privateKey: KeyObject,
  publicKey: Ed25519PublicJwk,
  activationKey: string,
  installation: InstallationFacts,
  now: Date = new Date(),
): Promise<OfflineActivationRequest> {
  const request = { activationKey, publicKey, installation, createdAt: now.toISOString() };
  const signature = sign(null, Buffer.from(canonicalJson(request)), privateKey).toString('base64url');
  return { request, signature, keyid: await jwkThumbprint(publicKey) };
}

/** True when `file.signature` is `file.request.publicKey`'s signature over the canonical request. */
export function offlineRequestSignatureValid(file: OfflineActivationRequest): boolean {
  try {
    const key = createPublicKey({ key: file.request.publicKey, format: 'jwk' });
    return verify(null, Buffer.from(canonicalJson(file.request)), key, Buffer.from(file.signature, 'base64url'));
  } catch {
    return false;
  }
}
