/**
 * One writer region per account. The licensing table is a global table whose regions resolve
 * conflicting writes item by item (last writer wins), while conditions and transactions hold only
 * within one region: so every licensing write is served in the account's home region alone, and
 * the other region answers 421 naming the home. Polls are answered by either region.
 */
import { WrongRegionError } from '../errors';
import type { Region } from './catalogue';

/** The region this code serves, and every region's public API base URL (for 421 answers). */
export interface ServingRegion {
  readonly region: Region;
  readonly endpoints: Record<Region, string>;
}

export function isHomeRegion(home: Region, here: ServingRegion): boolean {
  return home === here.region;
}

/** Refuses (421 with the home region and its endpoint) a write served outside the account's home region. */
export function assertHomeRegion(home: Region, here: ServingRegion): void {
  if (!isHomeRegion(home, here)) throw new WrongRegionError(home, here.endpoints[home]);
}
