/**
 * Where the agent talks. Writes and telemetry go to the home region only; a 421 names the home the
 * cloud expects, and the agent moves there. Licence polls are answered by either region (licensing
 * data is global), so when home does not answer a poll goes to the other region's endpoint.
 */
import * as z from 'zod';
import { CloudError, UnreachableError } from './errors';

export type Region = 'eu' | 'us';

/** Attempts at the other region within one poll, and the backoff between them (full jitter, as the loop's). */
export const FALLBACK_ATTEMPTS = 3;
export const FALLBACK_BACKOFF = { baseSeconds: 2, capSeconds: 30 } as const;

const regionSchema = z.enum(['eu', 'us']);

/** A 421's body: `homeRegion`/`homeEndpoint` on every write; activation's older `region`/`endpoint` too. */
const wrongRegionSchema = z.object({
  homeRegion: regionSchema.optional().catch(undefined),
  homeEndpoint: z.url().optional().catch(undefined),
  region: regionSchema.optional().catch(undefined),
  endpoint: z.url().optional().catch(undefined),
});

/** `endpoints` of an activation answer, when the cloud sends it: each region's API base URL. */
const regionEndpointsSchema = z.object({ eu: z.url().optional(), us: z.url().optional() });

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether the agent may follow a 421 to `url`: https (wss for Presence) only, so a redirect cannot
 * send the signed requests in clear; http (ws) only to a loopback host, the local cloud.
 */
export function followableEndpoint(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'https:' || parsed.protocol === 'wss:') return true;
  const loopback = loopbackHosts.has(parsed.hostname) || /^127(\.\d{1,3}){3}$/.test(parsed.hostname);
  return (parsed.protocol === 'http:' || parsed.protocol === 'ws:') && loopback;
}

/** The home a 421's body names, or undefined when it names none the agent may follow. */
export function homeNamedIn(problem: unknown): { endpoint: string; region?: Region } | undefined {
  const body = wrongRegionSchema.safeParse(problem ?? {});
  if (!body.success) return undefined;
  const endpoint = body.data.homeEndpoint ?? body.data.endpoint;
  if (!endpoint || !followableEndpoint(endpoint)) return undefined;
  const region = body.data.homeRegion ?? body.data.region;
  return region ? { endpoint, region } : { endpoint };
}

/** The home a 421 names, or undefined when `error` is not a 421 naming one the agent may follow. */
export function homeNamedBy(error: unknown): { endpoint: string; region?: Region } | undefined {
  if (!(error instanceof CloudError) || error.status !== 421) return undefined;
  return homeNamedIn(error.problem);
}

/** The other region's endpoint from an activation answer's optional `endpoints`. */
export function otherRegionEndpoint(home: Region | undefined, endpoints: unknown): string | undefined {
  if (!home || endpoints === undefined) return undefined;
  const parsed = regionEndpointsSchema.safeParse(endpoints);
  return parsed.success ? parsed.data[home === 'eu' ? 'us' : 'eu'] : undefined;
}

/**
 * True when a region gave no usable answer (no connection, a timeout, a 5xx): worth asking the
 * other one. Any 4xx is an answer about this installation, the same in both regions.
 */
export function regionDown(error: unknown): boolean {
  return error instanceof UnreachableError || (error instanceof CloudError && error.status >= 500);
}

/** Two API base URLs name the same place (a trailing slash aside). */
export function sameEndpoint(a: string, b: string): boolean {
  const normal = (url: string) => {
    try {
      return new URL(url).href.replace(/\/+$/, '');
    } catch {
      return url.replace(/\/+$/, '');
    }
  };
  return normal(a) === normal(b);
}
