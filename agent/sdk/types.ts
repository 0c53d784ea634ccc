/**
 * Types shared by the agent SDK. The agent package is self-contained: it never imports from the
 * cloud's `lambdas/` tree, so a vendor can copy `agent/sdk/` as is.
 */

/** An Ed25519 public key as a JSON Web Key (RFC 8037 §2): what `POST /v1/activations` sends as `publicKey`. */
export type Ed25519PublicJwk = { kty: 'OKP'; crv: 'Ed25519'; x: string };
