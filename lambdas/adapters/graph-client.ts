/**
 * Microsoft Graph on behalf of one connected tenant: users, presences and presence subscriptions
 * over `<graph>/v1.0`, with a delegated access token from the identity adapter (ms-identity.ts).
 * Errors never carry a UPN or a token: paths with a UPN are named by their route only.
 */
import * as z from 'zod/mini';
import {
  GraphSubscriptionGoneError,
  GraphThrottledError,
  type DirectoryUser,
  type GraphPresence,
  type GraphSubscription,
  type NewSubscription,
  type NotificationDecryptor,
  type TenantGraph,
} from '../core/presence/ports';
import type { HttpAnswer, HttpSend } from './graph-http';

/** Graph's limit of ids per presence read and per presence subscription. */
export const maxPresenceIdsPerRequest = 650;
/** A throttled call is retried once, in place, when Graph asks to wait no longer than this. */
const maxInPlaceWaitSeconds = 2;
const userLookupConcurrency = 8;
const presenceReadConcurrency = 4;

/** Graph answered with an error the caller cannot act on by retrying or reconnecting. */
export class GraphRequestError extends Error {
  override readonly name = 'GraphRequestError';
  constructor(
    /** method and route, e.g. `GET /users/{upn}` (no UPN, no id) */
    readonly route: string,
    readonly status: number,
    /** Graph's `error.code`, e.g. `BadRequest` */
    readonly code: string,
  ) {
    super(`Microsoft Graph answered ${status} ${code} to ${route}`);
  }
}

export interface AccessTokenSource {
  /** a delegated Graph token; `renew` when Graph refused the last one (401) */
  accessToken(options?: { renew?: boolean }): Promise<string>;
  rotatedRefreshToken(): string | undefined;
}

export interface GraphClientOptions {
  /** Graph's base URL without the version, e.g. `https://graph.microsoft.com` */
  readonly graphUrl: string;
  readonly send: HttpSend;
  readonly tokens: AccessTokenSource;
  /** where subscriptions' `encryptionCertificate` comes from */
  readonly certificates: Pick<NotificationDecryptor, 'certificate'>;
  /** each 429 or 503 Graph answers, whether retried or thrown: the caller counts them (a metric) */
  readonly onThrottle?: (retryAfterSeconds: number) => void;
  /** waits before the in-place retry of a throttled call @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

const graphErrorBody = z.object({ error: z.object({ code: z.string() }) });
const userBody = z.object({ id: z.string(), userPrincipalName: z.string() });
const presencesBody = z.object({
  value: z.array(z.object({ id: z.string(), availability: z.string(), activity: z.string() })),
});
const subscriptionBody = z.object({ id: z.string(), expirationDateTime: z.string() });

export class GraphTenantClient implements TenantGraph {
  private readonly base: string;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: GraphClientOptions) {
    this.base = `${options.graphUrl.replace(/\/+$/, '')}/v1.0`;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async resolveUsers(upns: readonly string[]): Promise<DirectoryUser[]> {
    const wanted = [...new Set(upns.map((upn) => upn.toLowerCase()))];
    const found = await mapBounded(wanted, userLookupConcurrency, async (upn) => {
      const answer = await this.call('GET /users/{upn}', 'GET', `/users/${encodeURIComponent(upn)}`, {
        query: '$select=id,userPrincipalName',
        missingIsUndefined: true,
      });
      if (answer === undefined) return undefined;
      const user = parse(userBody, answer, 'GET /users/{upn}');
      return { id: user.id.toLowerCase(), upn: user.userPrincipalName.toLowerCase() };
    });
    return found.filter((user): user is DirectoryUser => user !== undefined);
  }

  async getPresences(userIds: readonly string[]): Promise<GraphPresence[]> {
    const ids = [...new Set(userIds.map((id) => id.toLowerCase()))];
    const chunks = chunk(ids, maxPresenceIdsPerRequest);
    const answers = await mapBounded(chunks, presenceReadConcurrency, async (part) => {
      const route = 'POST /communications/getPresencesByUserId';
      const answer = await this.call(route, 'POST', '/communications/getPresencesByUserId', { body: { ids: part } });
      return parse(presencesBody, answer, route).value;
    });
    return answers.flat().map(({ id, availability, activity }) => ({ id, availability, activity }));
  }

  async createSubscription(input: NewSubscription): Promise<GraphSubscription> {
    if (input.userIds.length === 0 || input.userIds.length > maxPresenceIdsPerRequest) {
      throw new RangeError(`a presence subscription takes 1 to ${maxPresenceIdsPerRequest} user ids`);
    }
    const certificate = await this.options.certificates.certificate();
    const filter = input.userIds.map((id) => `'${id}'`).join(',');
    const route = 'POST /subscriptions';
    const answer = await this.call(route, 'POST', '/subscriptions', {
      body: {
        changeType: 'updated',
        resource: `/communications/presences?$filter=id in (${filter})`,
        notificationUrl: input.notificationUrl,
        lifecycleNotificationUrl: input.lifecycleNotificationUrl,
        clientState: input.clientState,
        expirationDateTime: input.expiresAt.toISOString(),
        includeResourceData: true,
        encryptionCertificate: certificate.base64Der,
        encryptionCertificateId: certificate.id,
        latestSupportedTlsVersion: 'v1_2',
      },
    });
    const subscription = parse(subscriptionBody, answer, route);
    return { subscriptionId: subscription.id, expiresAt: subscription.expirationDateTime };
  }

  async renewSubscription(subscriptionId: string, expiresAt: Date): Promise<GraphSubscription> {
    const route = 'PATCH /subscriptions/{id}';
    const answer = await this.call(route, 'PATCH', `/subscriptions/${encodeURIComponent(subscriptionId)}`, {
      body: { expirationDateTime: expiresAt.toISOString() },
      missingIsUndefined: true,
    });
    if (answer === undefined) throw new GraphSubscriptionGoneError(subscriptionId);
    const subscription = parse(subscriptionBody, answer, route);
    return { subscriptionId: subscription.id, expiresAt: subscription.expirationDateTime };
  }

  async reauthorizeSubscription(subscriptionId: string): Promise<void> {
    const path = `/subscriptions/${encodeURIComponent(subscriptionId)}/reauthorize`;
    const answer = await this.call('POST /subscriptions/{id}/reauthorize', 'POST', path, { missingIsUndefined: true });
    if (answer === undefined) throw new GraphSubscriptionGoneError(subscriptionId);
  }

  async deleteSubscription(subscriptionId: string): Promise<void> {
    const path = `/subscriptions/${encodeURIComponent(subscriptionId)}`;
    await this.call('DELETE /subscriptions/{id}', 'DELETE', path, { missingIsUndefined: true });
  }

  rotatedRefreshToken(): string | undefined {
    return this.options.tokens.rotatedRefreshToken();
  }

  /**
   * One Graph call: the JSON answer (`null` for an empty one), undefined for a 404 when
   * `missingIsUndefined`. A 401 renews the token and tries once more; a 429 or 503 waits and tries
   * once more when Graph asks for at most 2 s, else throws GraphThrottledError.
   */
  private async call(
    route: string,
    method: string,
    path: string,
    options: { query?: string; body?: unknown; missingIsUndefined?: boolean } = {},
  ): Promise<unknown> {
    const url = `${this.base}${path}${options.query ? `?${options.query}` : ''}`;
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    let renewToken = false;
    let throttledOnce = false;
    for (;;) {
      const token = await this.options.tokens.accessToken({ renew: renewToken });
      const answer = await this.options.send(url, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body }),
      });
      if (answer.status === 401 && !renewToken) {
        renewToken = true;
        continue;
      }
      if (answer.status === 429 || answer.status === 503) {
        const retryAfterSeconds = retryAfter(answer);
        this.options.onThrottle?.(retryAfterSeconds);
        if (throttledOnce || retryAfterSeconds > maxInPlaceWaitSeconds)
          throw new GraphThrottledError(retryAfterSeconds);
        throttledOnce = true;
        await this.sleep(retryAfterSeconds * 1000);
        continue;
      }
      if (answer.status === 404 && options.missingIsUndefined) return undefined;
      if (answer.status >= 300) throw new GraphRequestError(route, answer.status, errorCode(answer));
      return answer.body === '' ? null : jsonOf(answer.body, route);
    }
  }
}

/** Seconds from `Retry-After` (seconds or an HTTP date); 1 when absent or unreadable. */
function retryAfter(answer: HttpAnswer): number {
  const header = answer.headers['retry-after'];
  if (header === undefined) return 1;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? 1 : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function errorCode(answer: HttpAnswer): string {
  try {
    const parsed = graphErrorBody.safeParse(JSON.parse(answer.body));
    return parsed.success ? parsed.data.error.code : 'Unknown';
  } catch {
    return 'Unknown';
  }
}

function jsonOf(text: string, route: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new GraphRequestError(route, 200, 'NotJson');
  }
}

function parse<T extends z.ZodMiniType>(schema: T, value: unknown, route: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new GraphRequestError(route, 200, 'UnexpectedShape');
  return parsed.data;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** Maps with at most `limit` calls in flight; the answers keep the input's order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
