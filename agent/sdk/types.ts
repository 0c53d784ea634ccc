/**
 * Types shared by the agent SDK. The agent package is self-contained: it never imports from the
 * cloud's `lambdas/` tree, so a vendor can copy `agent/sdk/` as is.
 */

/** An Ed25519 public key as a JSON Web Key (RFC 8037 §2): what `POST /v1/activations` sends as `publicKey`. */
export type Ed25519PublicJwk = { kty: 'OKP'; crv: 'Ed25519'; x: string };

/** A JSON Web Key Set as `GET /.well-known/jwks.json` serves it (ES256 P-256 keys). */
export interface Jwks {
  keys: Record<string, unknown>[];
}

/** What `POST /v1/installations/{id}/telemetry` takes per beat. */
export interface BeatToSend {
  id: string;
  type: string;
  collectedAt: string;
  data: Record<string, unknown>;
}

/** `POST /v1/activations` (201/200) and the offline activation response file. */
export interface ActivationResponse {
  installationId: string;
  accountId: string;
  region: 'eu' | 'us';
  license: string;
  nextPollSeconds: number;
  telemetry: { enabled: boolean };
  /** only in an offline activation response: the keys to pin */
  jwks?: Jwks;
  /** each region's API base URL, when the cloud sends them (read with `otherRegionEndpoint`) */
  endpoints?: unknown;
}

/** The installation facts sent at activation. */
export interface InstallationFacts {
  suiteVersion: string;
  nodes: string[];
}

/** `202` of a telemetry batch. */
export interface TelemetryResult {
  /**
   * the ETag a licence poll would answer now (null: the licence is being rebuilt, poll); absent
   * from a cloud older than the one-request cycle, whose agents poll on `nextPollSeconds`
   */
  license?: { etag: string | null };
  accepted: number;
  duplicates: number;
  rejected: { beatId: string; errors: { path: string; message: string }[] }[];
  redactions: { beatId: string; path: string; reason: string }[];
}
