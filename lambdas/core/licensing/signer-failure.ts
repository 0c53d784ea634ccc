/**
 * Tells the signer's own failures (KMS unreachable, the key disabled or throttled) from every other
 * error of a licence rebuild: only those may be survived by serving the stored licence
 * (issue 17, finding 10). Anything else, a bug or a store failure, propagates.
 */
import type { Signer } from '../ports';

/** What a signer threw, marked as the signer's; `cause` is the original error. */
export class SignerFailure extends Error {
  constructor(override readonly cause: unknown) {
    super(`the licence signer failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'SignerFailure';
  }
}

/** The same signer, its rejections wrapped in SignerFailure. */
export function markingFailures(signer: Signer): Signer {
  const mark = (cause: unknown): never => {
    throw new SignerFailure(cause);
  };
  return {
    keyId: () => signer.keyId().catch(mark),
    signJws: (payload, header) => signer.signJws(payload, header).catch(mark),
  };
}

/** The counts the licensing use cases emit; the edge wires them to the business metrics. */
export interface LicensingMetrics {
  count(name: 'licenceResignFailures'): void;
}

export const uncounted: LicensingMetrics = { count: () => {} };
