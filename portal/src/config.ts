/**
 * `/config.json`, read once when the app starts: written beside the app by the deployed site
 * (lib/constructs/portal-site.ts) and answered by the local cloud (local/portal.ts). It names the
 * region, the user pool (deployed only: without one the local sign-in flows are used) and, where
 * known, each region's portal, so a page can offer the other region's.
 */
export type RegionKey = 'eu' | 'us';

export interface PortalConfig {
  /** the AWS region (Cognito's endpoint is in it) */
  readonly region: string;
  /** which of the two regions this portal is */
  readonly regionKey?: RegionKey;
  readonly apiBaseUrl?: string;
  readonly userPoolId?: string;
  readonly userPoolClientId?: string;
  /** each region's portal URL, where configured (cdk.json `ucx.portal.domains`) */
  readonly portals?: Partial<Record<RegionKey, string>>;
}

let loaded: Promise<PortalConfig | undefined> | undefined;

/** The site's config.json, or undefined when it serves none (or not JSON). Fetched once. */
export function portalConfig(): Promise<PortalConfig | undefined> {
  loaded ??= fetch('/config.json', { headers: { accept: 'application/json' } })
    .then(async (r) =>
      r.ok && (r.headers.get('content-type') ?? '').includes('json') ? ((await r.json()) as PortalConfig) : undefined,
    )
    .catch(() => undefined);
  return loaded;
}
