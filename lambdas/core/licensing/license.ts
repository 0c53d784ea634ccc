/** The licence document (DESIGN.md "The licence"): built from the account's pools and signed only on change. */
import { createHash } from 'node:crypto';
import type { Signer } from '../ports';
import type { CareLevel, LicenseKind, Product } from './catalogue';
import type { Installation, ProductPool, SmartAccount, StoredLicense } from './model';

export const LICENSE_ISSUER = 'ucx-cloud';
export const LICENSE_TYPE = 'ucx-license+jwt';

export interface LicenseProduct {
  product: Product;
  capacity: number;
  kind: LicenseKind;
  expiresAt?: string;
  care?: { level: CareLevel; expiresAt: string };
}

/** The part of the licence that only changes when the licensing facts change. */
export interface LicenseContent {
  sub: string;
  acc: string;
  products: LicenseProduct[];
  telemetry: { enabled: boolean };
  nextPollSeconds: number;
}

export interface LicenseInputs {
  installationId: string;
  account: Pick<SmartAccount, 'accountId' | 'telemetryEnabled'>;
  allocation: Installation['allocation'];
  pools: readonly ProductPool[];
  nextPollSeconds: number;
}

export function buildLicenseContent(inputs: LicenseInputs): LicenseContent {
  const products = inputs.pools
    .filter((pool) => (inputs.allocation[pool.product] ?? 0) > 0)
    .map(
      (pool): LicenseProduct => ({
        product: pool.product,
        capacity: inputs.allocation[pool.product] ?? 0,
        kind: pool.kind,
        ...(pool.kind === 'subscription' && pool.expiresAt ? { expiresAt: pool.expiresAt } : {}),
        ...(pool.kind === 'perpetual' && pool.care
          ? { care: { level: pool.care.level, expiresAt: pool.care.expiresAt } }
          : {}),
      }),
    )
    .sort((a, b) => a.product.localeCompare(b.product));
  return {
    sub: inputs.installationId,
    acc: inputs.account.accountId,
    products,
    telemetry: { enabled: inputs.account.telemetryEnabled },
    nextPollSeconds: inputs.nextPollSeconds,
  };
}

export function contentHash(content: LicenseContent): string {
  return createHash('sha256').update(JSON.stringify(content)).digest('base64url');
}

export interface SignOptions {
  now: Date;
  ttlDays: number;
  /** the installation rev the content was built from */
  basedOnRev: number;
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
    return { license: { ...previous, basedOnRev: opts.basedOnRev }, signed: false };
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
  return { license: { jws, etag, ver, contentHash: hash, exp, basedOnRev: opts.basedOnRev }, signed: true };
}

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
