/** Ports the domain needs from the outside world; adapters implement them, tests fake them. */

/** Signs licence documents as compact JWS (ES256): KMS in the cloud, a key file locally. */
export interface Signer {
  /** RFC 7638 thumbprint of the public key, used as the JWS `kid` */
  keyId(): Promise<string>;
  /** signs the JSON payload, returns a compact JWS */
  signJws(payload: Record<string, unknown>, header: Record<string, unknown>): Promise<string>;
}

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  /** a new opaque id with the given prefix, e.g. `acc_…` */
  id(prefix: string): string;
  /** a new human-typable secret (activation keys) */
  secret(): string;
}

/** Where a use case reports a failure it deliberately survives (Powertools' logger at the edge). */
export interface Logger {
  warn(message: string, details: Record<string, unknown>): void;
}

export const systemClock: Clock = { now: () => new Date() };
