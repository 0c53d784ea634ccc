/**
 * The two regions' portals: which one this is (config.json's `regionKey`), and the way to the
 * other one's same page for an account homed there. An account lives in one region (EU or US);
 * its licensing changes (orders, keys, activations, allocations, the telemetry switch,
 * deactivations), telemetry and findings are served only there, and the API answers 421 for them
 * elsewhere. Without the other portal's URL in config.json the words stay and the link goes.
 */
import type { PortalConfig, RegionKey } from './config';
import { h } from './dom';

export const regionNames: Readonly<Record<RegionKey, string>> = { eu: 'EU', us: 'US' };

export const isRegionKey = (value: unknown): value is RegionKey => value === 'eu' || value === 'us';

export const otherRegion = (key: RegionKey): RegionKey => (key === 'eu' ? 'us' : 'eu');

/** The page `hash` (e.g. `#/accounts/acc_1`) in `target`'s portal; undefined when its URL is unknown. */
export function portalUrl(config: PortalConfig | undefined, target: RegionKey, hash = ''): string | undefined {
  const base = config?.portals?.[target];
  if (!base || !/^https?:\/\//.test(base)) return undefined;
  return `${base.replace(/\/+$/, '')}/${hash.startsWith('#/') ? hash : ''}`;
}

/** The words for an account homed in `region`, as this portal's user reads them. */
export function homedElsewhereText(region: RegionKey, here: RegionKey | undefined): string {
  return `This account is homed in the ${regionNames[region]} region${here ? `, and this is the ${regionNames[here]} portal` : ''}.`;
}

let config: PortalConfig | undefined;

/** Sets the config the header, notices and error messages read (main.ts, once at start). */
export function useRegions(value: PortalConfig | undefined): void {
  config = value;
}

export const thisRegion = (): RegionKey | undefined => (isRegionKey(config?.regionKey) ? config.regionKey : undefined);

/** For the header: this portal's region and a link to the other region's (the same page). */
export function regionIndicator(hash: string): HTMLElement | null {
  const here = thisRegion();
  if (!here) return null;
  const there = otherRegion(here);
  const url = portalUrl(config, there, hash);
  return h(
    'div',
    { class: 'region' },
    h('span', { class: 'region-here', 'data-testid': 'region' }, `${regionNames[here]} region`),
    url ? h('a', { href: url, 'data-testid': 'switch-region' }, `Switch to the ${regionNames[there]} portal`) : null,
  );
}

/** A link to the page `hash` in `region`'s portal, or words saying where to go when its URL is unknown. */
export function otherPortalLink(region: RegionKey, hash: string): HTMLElement {
  const url = portalUrl(config, region, hash);
  const name = regionNames[region];
  return url
    ? h('a', { href: url, 'data-testid': 'other-region-page' }, `Open this page in the ${name} portal`)
    : h('span', null, `Open it in the ${name} portal`);
}

/** On an account's page: a notice when the account is homed in the other region; null when here (or unknown). */
export function homeRegionNotice(accountRegion: string): HTMLElement | null {
  const here = thisRegion();
  if (!here || !isRegionKey(accountRegion) || accountRegion === here) return null;
  return h(
    'div',
    { class: 'notice', 'data-testid': 'homed-elsewhere' },
    h(
      'p',
      null,
      `${homedElsewhereText(accountRegion, here)} Its installations send their telemetry to the ${regionNames[accountRegion]} region, where its findings and offline activation are served.`,
    ),
    h('p', null, otherPortalLink(accountRegion, location.hash), '.'),
  );
}
