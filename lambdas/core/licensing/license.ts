/**
 * The licence document (DESIGN.md "The licence"): built from the account's entitlements at an
 * instant and signed only on change.
 */
import { createHash } from 'node:crypto';
import type { Signer } from '../ports';
import { cycleSeconds } from '../telemetry/cadence';
import type { Allocation, CareLevel, LicenseKind, Product } from './catalogue';
import {
  backingAt,
  belowSince,
  capacityAt,
  careAt,
  DEFAULT_SHORTFALL_GRACE_DAYS,
  firstDropAfter,
  nextTermBoundary,
  type Shortfall,
  type TermSlice,
} from './entitlements';
import type { Entitlement, InstallationSummary, SmartAccount, StoredLicense, TelemetryOverride } from './model';

export const LICENSE_ISSUER = 'ucx-cloud';
export const LICENSE_TYPE = 'ucx-license+jwt';

/** An entitlement's share of the product's capacity in this licence (perpetual terms carry no dates). */
export interface LicenseTerm {
  quantity: number;
  kind: LicenseKind;
  startsAt?: string;
  endsAt?: string;
}

export interface LicenseProduct {
  product: Product;
  capacity: number;
  /** perpetual only when all of the capacity is */
  kind: LicenseKind;
  /** the first instant the capacity would drop if nothing more were deposited */
  expiresAt?: string;
  /** the Care covering the product now; absent once it has lapsed */
  care?: { level: CareLevel; expiresAt: string };
  /** the entitlements the capacity is drawn from, in allocation order */
  terms: LicenseTerm[];
  /** part of the capacity no entitlement covers now: kept until `enforcedAt` (terms + quantity = capacity) */
  shortfall?: Shortfall;
}

/** The part of the licence that only changes when the licensing facts change. */
export interface LicenseContent {
  sub: string;
  acc: string;
  products: LicenseProduct[];
  /** `intervalSeconds`: how often the agent sends its cycle of beats (telemetry/cadence.ts) */
  telemetry: { enabled: boolean; intervalSeconds: number };
  nextPollSeconds: number;
}

type InstallationOrderEntry = Pick<InstallationSummary, 'installationId' | 'status' | 'allocation' | 'activatedAt'>;

export interface LicenseInputs {
  installationId: string;
  account: Pick<SmartAccount, 'accountId' | 'telemetryEnabled'>;
  allocation: Allocation;
  activatedAt: string;
  /** the account's entitlements as read */
  entitlements: readonly Entitlement[];
  /** the account's other installations as read (this one may be among them, or not yet) */
  installations: readonly InstallationOrderEntry[];
  /** the instant the licence describes */
  at: Date;
  nextPollSeconds: number;
  /** support's shorter cycle for this installation, if one was set (it counts only until `until`) */
  telemetryOverride?: TelemetryOverride;
  /** @default DEFAULT_SHORTFALL_GRACE_DAYS */
  shortfallGraceDays?: number;
}

/**
 * The account's active installations, oldest first: allocations draw from the entitlements in this
 * order, so the newest installations hold the capacity that ends first.
 */
export function installationOrder(
  installations: readonly InstallationOrderEntry[],
  self: Pick<LicenseInputs, 'installationId' | 'allocation' | 'activatedAt'>,
): InstallationOrderEntry[] {
  return [
    ...installations.filter((i) => i.status === 'active' && i.installationId !== self.installationId),
    {
      installationId: self.installationId,
      status: 'active' as const,
      allocation: self.allocation,
      activatedAt: self.activatedAt,
    },
  ].sort(
    (a, b) =>
      Date.parse(a.activatedAt) - Date.parse(b.activatedAt) ||
      (a.installationId < b.installationId ? -1 : a.installationId > b.installationId ? 1 : 0),
  );
}

/** Slices of the same kind and dates read as one term. */
function termsOf(slices: readonly TermSlice[]): LicenseTerm[] {
  const terms: LicenseTerm[] = [];
  for (const { quantity, kind, startsAt, endsAt } of slices) {
    const same = terms.find((t) => t.kind === kind && t.startsAt === startsAt && t.endsAt === endsAt);
    if (same) same.quantity += quantity;
    else terms.push({ quantity, kind, ...(startsAt ? { startsAt } : {}), ...(endsAt ? { endsAt } : {}) });
  }
  return terms;
}

/**
 * The licence at `inputs.at`, and the first instant after it at which its terms change without a
 * write (a subscription starts or ends, Care lapses, a shortfall is enforced): a stored licence is
 * rebuilt then.
 *
 * Each product's capacity is the installation's allocation, backed by the account's entitlements
 * active now in allocation order, the installations taken oldest first. Allocation no entitlement
 * covers (a subscription ended) stays in the licence as `shortfall` until the grace period since
 * the capacity fell short has passed; from then on the licence carries only what is covered, so
 * the newest installations lose it first.
 */
export function buildLicense(inputs: LicenseInputs): { content: LicenseContent; validUntil?: string } {
  const t = inputs.at.getTime();
  const graceMs = (inputs.shortfallGraceDays ?? DEFAULT_SHORTFALL_GRACE_DAYS) * 86_400_000;
  const order = installationOrder(inputs.installations, inputs);
  const position = order.findIndex((i) => i.installationId === inputs.installationId);
  const enforcements: number[] = [];
  const products = (Object.entries(inputs.allocation) as [Product, number | undefined][])
    .filter(([, quantity]) => (quantity ?? 0) > 0)
    .flatMap(([product, quantity = 0]): LicenseProduct[] => {
      const own = inputs.entitlements.filter((e) => e.product === product);
      const before = order.slice(0, position).reduce((sum, i) => sum + (i.allocation[product] ?? 0), 0);
      const slices = backingAt(own, product, t, before, quantity);
      const backed = slices.reduce((sum, slice) => sum + slice.quantity, 0);
      let capacity = quantity;
      let shortfall: Shortfall | undefined;
      if (backed < quantity) {
        const since = belowSince(own, product, t, before + quantity, Date.parse(inputs.activatedAt)) ?? t;
        const enforcedAt = since + graceMs;
        if (t < enforcedAt) {
          shortfall = { quantity: quantity - backed, enforcedAt: new Date(enforcedAt).toISOString() };
          enforcements.push(enforcedAt);
        } else capacity = backed;
      }
      if (capacity === 0) return [];
      const units = (instant: number) => Math.min(quantity, Math.max(0, capacityAt(own, product, instant) - before));
      const drops = [firstDropAfter(own, t, units), shortfall && Date.parse(shortfall.enforcedAt)].filter(
        (instant): instant is number => instant !== undefined,
      );
      const care = careAt(own, product, t);
      return [
        {
          product,
          capacity,
          kind: !shortfall && slices.every((slice) => slice.kind === 'perpetual') ? 'perpetual' : 'subscription',
          ...(drops.length > 0 ? { expiresAt: new Date(Math.min(...drops)).toISOString() } : {}),
          ...(care ? { care: { level: care.level, expiresAt: care.expiresAt } } : {}),
          terms: termsOf(slices),
          ...(shortfall ? { shortfall } : {}),
        },
      ];
    })
    .sort((a, b) => a.product.localeCompare(b.product));
  const held = new Set(Object.keys(inputs.allocation));
  const changes = [
    nextTermBoundary(
      inputs.entitlements.filter((e) => held.has(e.product)),
      t,
    ),
    ...enforcements,
    // the cycle goes back to the Care level's when support's override ends
    inputs.telemetryOverride && Date.parse(inputs.telemetryOverride.until),
  ].filter((instant): instant is number => instant !== undefined && instant > t);
  return {
    content: {
      sub: inputs.installationId,
      acc: inputs.account.accountId,
      products,
      telemetry: {
        enabled: inputs.account.telemetryEnabled,
        intervalSeconds: cycleSeconds(
          products.flatMap((p) => (p.care ? [p.care.level] : [])),
          inputs.telemetryOverride,
          inputs.at,
        ),
      },
      nextPollSeconds: inputs.nextPollSeconds,
    },
    ...(changes.length > 0 ? { validUntil: new Date(Math.min(...changes)).toISOString() } : {}),
  };
}

export function buildLicenseContent(inputs: LicenseInputs): LicenseContent {
  return buildLicense(inputs).content;
}

/** When the licence's terms next change by themselves (buildLicense's `validUntil`). */
export function licenceValidUntil(inputs: LicenseInputs): string | undefined {
  return buildLicense(inputs).validUntil;
}

export function contentHash(content: LicenseContent): string {
  return createHash('sha256').update(JSON.stringify(content)).digest('base64url');
}

export interface SignOptions {
  now: Date;
  ttlDays: number;
  /** the installation rev the content was built from */
  basedOnRev: number;
  /** the account termsRev the content was built from */
  basedOnAccountRev?: number;
  /** when the content's terms next change by themselves (licenceValidUntil) */
  validUntil?: string;
  previous?: StoredLicense;
}

/**
 * Returns the stored licence when its content is unchanged, it is not yet due for renewal (half its
 * lifetime left) and the current key signed it, otherwise signs a new one; `ver` rises only when
 * the content changes.
 */
export async function signIfChanged(
  content: LicenseContent,
  signer: Signer,
  opts: SignOptions,
): Promise<{ license: StoredLicense; signed: boolean }> {
  const hash = contentHash(content);
  const nowSeconds = Math.floor(opts.now.getTime() / 1000);
  const ttlSeconds = opts.ttlDays * 86_400;
  const previous = opts.previous;
  const kid = await signer.keyId();
  if (
    previous &&
    previous.contentHash === hash &&
    previous.exp - nowSeconds > ttlSeconds / 2 &&
    signingKeyOf(previous.jws) === kid
  ) {
    const { validUntil: _previousValidUntil, basedOnAccountRev: _previousAccountRev, ...kept } = previous;
    return { license: { ...kept, ...basedOn(opts), ...validUntilOf(opts) }, signed: false };
  }
  // `ver` rises with the content and is tied to the installation's rev, so two rebuilds from
  // different states never share a ver even when one of them was served but not stored.
  const ver = previous?.contentHash === hash ? previous.ver : Math.max((previous?.ver ?? 0) + 1, opts.basedOnRev + 1);
  const exp = nowSeconds + ttlSeconds;
  const jws = await signer.signJws(
    { iss: LICENSE_ISSUER, ...content, iat: nowSeconds, exp, ver },
    { alg: 'ES256', kid, typ: LICENSE_TYPE },
  );
  const etag = `"${ver}-${createHash('sha256').update(jws).digest('base64url').slice(0, 16)}"`;
  return {
    license: { jws, etag, ver, contentHash: hash, exp, ...basedOn(opts), ...validUntilOf(opts) },
    signed: true,
  };
}

const basedOn = (opts: SignOptions) => ({
  basedOnRev: opts.basedOnRev,
  ...(opts.basedOnAccountRev !== undefined ? { basedOnAccountRev: opts.basedOnAccountRev } : {}),
});
const validUntilOf = (opts: SignOptions) => (opts.validUntil ? { validUntil: opts.validUntil } : {});

/** The `kid` of a compact JWS's protected header; undefined when it has none or is not one. */
export function signingKeyOf(jws: string): string | undefined {
  try {
    const header: unknown = JSON.parse(Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString('utf8'));
    const kid = (header as { kid?: unknown } | null)?.kid;
    return typeof kid === 'string' ? kid : undefined;
  } catch {
    return undefined;
  }
}
