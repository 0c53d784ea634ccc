/** The region this function serves, apart from the composition roots so that any of them can use it alone. */
import type { ServingRegion } from '../core/licensing/home-region';
import { env } from './env';

/** The region this function serves, from REGION_KEY and REGION_ENDPOINTS. */
export function servingRegion(): ServingRegion {
  const e = env();
  return { region: e.REGION_KEY, endpoints: e.REGION_ENDPOINTS as ServingRegion['endpoints'] };
}
