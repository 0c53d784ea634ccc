/** The licence's signer and timings from the environment, apart from the composition roots that use them. */
import { signerFromRef } from '../adapters/licence-signers';
import type { LicenseSettings } from '../core/licensing/deps';
import { env, required } from './env';

let settings: LicenseSettings | undefined;

export function licenseSettings(): LicenseSettings {
  if (!settings) {
    const e = env();
    settings = {
      signer: signerFromRef(required('SIGNING_KEY_REF')),
      nextPollSeconds: e.NEXT_POLL_SECONDS,
      licenseTtlDays: e.LICENSE_TTL_DAYS,
      shortfallGraceDays: e.SHORTFALL_GRACE_DAYS,
    };
  }
  return settings;
}
