/**
 * A licence poll. The hot path is one query: the installation, which carries its signed licence and
 * a `rev` that its own changes bump, with the account's `termsRev` as copied beside it, which every
 * change of the whole account bumps once (a deposit, the telemetry switch). An unchanged licence is
 * served as stored, without signing. A stale one (either rev moved, or its terms did with time:
 * `validUntil`) is rebuilt, and re-signed only if its content changed. The poll is
 * recorded (`lastPollAt`) at most once per installation-hour.
 */
import { GoneError, NotFoundError, UnauthorizedError } from '../errors';
import { contactStampSeconds } from '../telemetry/cadence';
import type { LicenseSettings, LicensingDeps } from './deps';
import { isHomeRegion } from './home-region';
import { buildLicense, signIfChanged } from './license';
import { markingFailures, SignerFailure, uncounted } from './signer-failure';
import type { Installation } from './model';
import type { AccountTerms, LicensingRepository } from './repository';
import { verifiedAgainst, type SignatureCheck } from './signature-check';

/**
 * How fresh `lastPollAt` is kept: a poll writes it only when it is missing or older than this, so
 * polls every 15 minutes cost one write per installation-hour instead of four (and a 304 poll
 * within the hour writes nothing). The portal shows it to the hour ("within the hour", "3 h ago").
 */
export const LAST_POLL_RESOLUTION_MS = 3_600_000;

// What each step of a signed agent request uses, so the telemetry ingest is composed without the
// commits, ids or signer (shared/agent-contact-deps.ts); the full LicensingDeps fits each.
type VerifiedReadDeps = { readonly repo: Pick<LicensingRepository, 'getInstallationWithTerms' | 'getAccountTerms'> };
type PollRecordDeps = Pick<LicensingDeps, 'log'> & { readonly repo: Pick<LicensingRepository, 'recordPoll'> };
type ContactDeps = PollRecordDeps & Pick<LicensingDeps, 'clock'>;
/** What a telemetry post needs of licensing: loadVerifiedWithTerms, currentLicenseEtag, recordContact. */
export type AgentContactDeps = VerifiedReadDeps & ContactDeps;
/** The store's part of it: the installation with its terms, the account's terms, the contact stamp. */
export type AgentContactStore = AgentContactDeps['repo'];

/** Seconds before `exp` at which a stored licence is renewed: half its lifetime. */
const renewWhenLeftSeconds = (ttlDays: number) => (ttlDays * 86_400) / 2;

/**
 * A stored licence is rebuilt when the installation changed since (rev), when the account did
 * (`termsRev`, when known: a licence built from an older one, or stored before licences recorded it),
 * when it is due for renewal, and when its terms changed by themselves since it was built
 * (`validUntil`: a subscription ended).
 */
export function needsRebuild(
  installation: Installation,
  nowSeconds: number,
  ttlDays: number,
  accountTermsRev?: number,
): boolean {
  const { license } = installation;
  return (
    license.basedOnRev !== installation.rev ||
    (accountTermsRev !== undefined && (license.basedOnAccountRev ?? -1) < accountTermsRev) ||
    license.exp - nowSeconds <= renewWhenLeftSeconds(ttlDays) ||
    (license.validUntil !== undefined && Date.parse(license.validUntil) <= nowSeconds * 1000)
  );
}

/**
 * The ETag a poll would answer now, from what a signed request already read (the installation and
 * the account's termsRev): the stored licence's while it is current, else null — it must be
 * rebuilt, which only a poll does, so the agent is told to poll (docs/licensing.md).
 */
export function currentLicenseEtag(
  installation: Installation,
  now: Date,
  ttlDays: number,
  accountTermsRev: number | undefined,
): string | null {
  return needsRebuild(installation, Math.floor(now.getTime() / 1000), ttlDays, accountTermsRev)
    ? null
    : installation.license.etag;
}

/** The licence to hand out now: the stored one, or a rebuilt one stored for the next poll. */
export async function currentLicense(
  deps: LicensingDeps,
  settings: LicenseSettings,
  installation: Installation,
): Promise<string> {
  const terms = await deps.repo.getAccountTerms(installation.accountId);
  if (!terms) throw new NotFoundError(`Account ${installation.accountId} does not exist.`);
  return (await refreshLicense(deps, settings, installation, terms.termsRev)).jws;
}

async function refreshLicense(
  deps: LicensingDeps,
  settings: LicenseSettings,
  installation: Installation,
  accountTermsRev: number,
) {
  const now = deps.clock.now();
  const stored = installation.license;
  if (!needsRebuild(installation, Math.floor(now.getTime() / 1000), settings.licenseTtlDays, accountTermsRev)) {
    return stored;
  }

  const state = await deps.repo.getAccountState(installation.accountId);
  if (!state) throw new NotFoundError(`Account ${installation.accountId} does not exist.`);
  const built = buildLicense({
    installationId: installation.installationId,
    account: state.account,
    allocation: installation.allocation,
    activatedAt: installation.activatedAt,
    entitlements: state.entitlements,
    installations: state.installations,
    at: now,
    nextPollSeconds: settings.nextPollSeconds,
    ...(installation.telemetryOverride && { telemetryOverride: installation.telemetryOverride }),
    ...(settings.shortfallGraceDays !== undefined && { shortfallGraceDays: settings.shortfallGraceDays }),
  });
  let fresh: Awaited<ReturnType<typeof signIfChanged>>;
  try {
    fresh = await signIfChanged(built.content, markingFailures(settings.signer), {
      now,
      ttlDays: settings.licenseTtlDays,
      basedOnRev: installation.rev,
      // the state read, strongly consistent, may be newer than the termsRev the poll read
      basedOnAccountRev: state.account.termsRev,
      ...(built.validUntil && { validUntil: built.validUntil }),
      previous: stored,
    });
  } catch (error) {
    // Only the signer's failure is survived: the key may be briefly unavailable, and an unexpired
    // stored licence keeps the agent working. Counted and logged (an alarm watches the count).
    if (!(error instanceof SignerFailure)) throw error;
    const served = stored.exp > now.getTime() / 1000;
    const metrics = deps.metrics ?? uncounted;
    metrics.count('licenceResignFailures');
    deps.log.warn('re-signing the licence failed', {
      installationId: installation.installationId,
      served: served ? 'stored licence' : 'none (the stored licence has expired)',
      storedExpiresAt: new Date(stored.exp * 1000).toISOString(),
      error: error.cause,
    });
    if (served) return stored;
    throw error.cause;
  }
  // Outside the home region the poll writes nothing to the installation: that region's copy may lag
  // a change made at home, and a write there would replicate the stale item back over it.
  if (isHomeRegion(installation.region, deps.here)) {
    await deps.repo.storeLicense(installation.installationId, fresh.license, installation.rev);
  }
  return fresh.license;
}

export type PollOutcome =
  | { status: 200; license: string; etag: string; nextPollSeconds: number }
  | { status: 304; etag: string };

/**
 * `verify` checks the request's signature against the installation's public key (the edge owns
 * the HTTP details); it runs before anything about the installation is revealed.
 */
export async function pollLicense(
  deps: LicensingDeps,
  settings: LicenseSettings,
  installationId: string,
  ifNoneMatch: string | undefined,
  verify: SignatureCheck,
): Promise<PollOutcome> {
  // Eventually consistent (half the read cost of the fleet's most frequent request): a licence
  // change reaches the poll a second later at most, and whatever this read returns is safe to
  // serve — the licence stored beside it was signed for it, and a rebuilt one is stored only if the
  // installation's rev is still the one read. An installation polls nextPollSeconds after its
  // activation, whose answer already carries the licence, so no first poll races the activation.
  // The account's termsRev is read the same way: an account-wide change reaches the poll after it.
  const { installation, terms } = await loadVerifiedWithTerms(deps, installationId, verify, {
    consistentRead: false,
  });
  if (!terms) throw new NotFoundError(`Account ${installation.accountId} does not exist.`);
  const now = deps.clock.now();
  // Beside the licence, not before it; recordPoll never rejects, so it is simply awaited after.
  const recording = isPollRecordDue(installation, now) ? recordPoll(deps, installation, now) : undefined;
  const license = await refreshLicense(deps, settings, installation, terms.termsRev);
  await recording;
  if (ifNoneMatch?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === license.etag)) {
    return { status: 304, etag: license.etag };
  }
  return { status: 200, license: license.jws, etag: license.etag, nextPollSeconds: settings.nextPollSeconds };
}

/**
 * A telemetry request is contact too: an agent on the one-request cycle polls only when its licence
 * changed, so its 202 keeps `lastPollAt` (stale installations, the portal), at most once in
 * `contactStampSeconds` (the account page shows its exact last beat beside it), judged from the
 * installation item the request already read.
 */
export async function recordContact(deps: ContactDeps, installation: Installation): Promise<void> {
  const now = deps.clock.now();
  const resolutionMs = contactStampSeconds * 1000;
  if (isPollRecordDue(installation, now, resolutionMs)) await recordPoll(deps, installation, now, resolutionMs);
}

/** True when the installation read shows no recorded contact within `resolutionMs` (checked on every poll: no allocation). */
export function isPollRecordDue(
  installation: Installation,
  now: Date,
  resolutionMs = LAST_POLL_RESOLUTION_MS,
): boolean {
  const last = installation.lastPollAt;
  return last === undefined || !(now.getTime() - Date.parse(last) < resolutionMs);
}

/**
 * Writes `lastPollAt`; the write's own condition keeps concurrent polls to one write. Recording is
 * a courtesy to the portal: its failure is logged and the poll answered all the same.
 */
async function recordPoll(
  deps: PollRecordDeps,
  installation: Installation,
  now: Date,
  resolutionMs = LAST_POLL_RESOLUTION_MS,
): Promise<void> {
  try {
    await deps.repo.recordPoll(
      installation.installationId,
      now.toISOString(),
      new Date(now.getTime() - resolutionMs).toISOString(),
    );
  } catch (error) {
    deps.log.warn('the last poll was not recorded; the poll is answered all the same', {
      installationId: installation.installationId,
      error,
    });
  }
}

export type LoadOptions = { allowDeactivated?: boolean; consistentRead?: boolean };

/**
 * Loads an installation and verifies the request against its key; deactivated ones are gone (410).
 * Its `telemetryEnabled` is the account's switch as it is now (the switch writes only the account).
 */
export async function loadVerified(
  deps: LicensingDeps,
  installationId: string,
  verify: SignatureCheck,
  options: LoadOptions = {},
): Promise<Installation> {
  return (await loadVerifiedWithTerms(deps, installationId, verify, options)).installation;
}

/** loadVerified, with the account's terms it read (termsRev: is the stored licence current?). */
export async function loadVerifiedWithTerms(
  deps: VerifiedReadDeps,
  installationId: string,
  verify: SignatureCheck,
  options: LoadOptions,
): Promise<{ installation: Installation; terms: AccountTerms | null }> {
  const consistentRead = options.consistentRead ?? true;
  const readWithTerms = async (strongly: boolean) => {
    const found = await deps.repo.getInstallationWithTerms(installationId, { consistentRead: strongly });
    const installation = await verifiedAgainst(found?.installation ?? null, verify);
    return { installation, copied: found?.terms };
  };
  // An unknown id is refused as a bad signature: the answer tells nobody which ids exist.
  const { installation: read, copied } = await readWithTerms(consistentRead).catch(async (error: unknown) => {
    // An eventually consistent read can miss an installation activated, or a key rotated, within
    // the second: a refusal is read again strongly before it stands (it costs only refusals).
    if (consistentRead || !(error instanceof UnauthorizedError)) throw error;
    return readWithTerms(true);
  });
  if (read.status !== 'active' && !options.allowDeactivated) {
    throw new GoneError(`Installation ${installationId} was deactivated.`);
  }
  // The account's terms as copied beside an active installation (kept by every change of them:
  // behind by the copying after its commit, by the 5-minute repair's at worst); else the account's
  // own, read after the signature, so an unsigned request costs one read. Eventually consistent.
  const terms =
    read.status === 'active' && copied
      ? copied
      : await deps.repo.getAccountTerms(read.accountId, { consistentRead: false });
  // A closed account's installations are refused at once, before the closure has deactivated each.
  if (terms?.closedAt && !options.allowDeactivated) {
    throw new GoneError(`Installation ${installationId} belongs to an account closed on ${terms.closedAt}.`);
  }
  const installation = terms ? { ...read, telemetryEnabled: terms.telemetryEnabled && !terms.closedAt } : read;
  return { installation, terms };
}
