/**
 * The presence table of one region (docs/presence.md "Items"):
 *   ACCOUNT#<acc> / PRESENCE      switch, tenant (sealed refresh token), subscription ids
 *   OAUTH#<state> / OAUTH         a pending "Connect Microsoft 365" (TTL 10 min)
 *   CONN#<conn> / CONN            a live session; gsi1 ACONN#<acc> / <conn>
 *   W#<acc>#<user> / <conn>       a session watches a user; gsi1 CW#<conn> / <user>
 *   USER#<acc> / <user>           a watched user: UPN, watchers, covering subscription, last presence
 *   UPN#<acc> / <upn>             UPN → user id cache (TTL 7 days)
 *   PSUB#<sub> / PSUB             our subscription; gsi1 SUBEXP / <expiresAt>#<sub> for the renewal job
 *   GSUB#<graph id> / GSUB        Graph's id → ours, with the clientState notifications are checked against
 * Every item but the account's carries `expiresAtEpoch`, so what a crash leaves behind expires.
 */
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from './dynamodb-batch-get';
import type { Clock } from '../core/ports';
import type { DirectoryUser, GraphPresence } from '../core/presence/ports';
import type {
  AuthorizationRecord,
  PresenceAccount,
  PresenceStore,
  PresenceUpdate,
  SessionRecord,
  SubscriptionRecord,
  SubscriptionRef,
  TenantRecord,
  WatchedUser,
} from '../core/presence/store';
import { batchWrite, batchWriteAll } from './dynamodb-batch-write';
import { mapLimited } from '../core/settle-limited';

const hour = 3600;
/** a watched user outlives the longest session by a margin; every subscribe renews it */
const watchSeconds = 2 * hour + 600;
const upnCacheSeconds = 7 * 24 * hour;
const refCacheMs = 300_000;
const parallel = 16;

type Item = Record<string, unknown>;

const conditionFailed = (error: unknown) => error instanceof Error && error.name === 'ConditionalCheckFailedException';

const eachLimited = async <T>(items: readonly T[], run: (item: T) => Promise<void>) => {
  await mapLimited(items, parallel, run);
};

export class DynamoDbPresenceStore implements PresenceStore {
  private readonly refs = new Map<string, { ref: SubscriptionRef; until: number }>();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
  ) {}

  private epoch(secondsAhead: number, from = this.clock.now()) {
    return Math.floor(from.getTime() / 1000) + secondsAhead;
  }

  private get(pk: string, sk: string) {
    return this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk, sk } })).then((r) => r.Item);
  }

  private async query(input: { index?: string; pk: string; below?: string; limit?: number }): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    const pkName = input.index ? 'gsi1pk' : 'pk';
    const skName = input.index ? 'gsi1sk' : 'sk';
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          ...(input.index && { IndexName: input.index }),
          KeyConditionExpression: input.below ? '#p = :p AND #s < :below' : '#p = :p',
          ExpressionAttributeNames: { '#p': pkName, ...(input.below && { '#s': skName }) },
          ExpressionAttributeValues: { ':p': input.pk, ...(input.below && { ':below': input.below }) },
          ...(input.limit && { Limit: input.limit - items.length }),
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start && (!input.limit || items.length < input.limit));
    return items;
  }

  /** keys still unprocessed after the retries fail the call (503): a partial answer would pass for the whole */
  private batchGet(keys: readonly { pk: string; sk: string }[]): Promise<Item[]> {
    return batchGetAll(this.client, this.tableName, keys);
  }

  private async batchDelete(keys: readonly { pk: string; sk: string }[]) {
    await batchWriteAll(
      this.client,
      this.tableName,
      keys.map((Key) => ({ DeleteRequest: { Key } })),
    );
  }

  async getAccount(accountId: string): Promise<PresenceAccount | undefined> {
    const item = await this.get(`ACCOUNT#${accountId}`, 'PRESENCE');
    if (!item) return undefined;
    return {
      accountId,
      enabled: item.enabled === true,
      ...(item.tenant ? { tenant: item.tenant as TenantRecord } : {}),
      subscriptionIds: item.subscriptionIds ? [...(item.subscriptionIds as Set<string>)] : [],
    };
  }

  async setEnabled(accountId: string, enabled: boolean) {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `ACCOUNT#${accountId}`, sk: 'PRESENCE' },
        UpdateExpression: 'SET enabled = :e',
        ExpressionAttributeValues: { ':e': enabled },
      }),
    );
  }

  async putTenant(accountId: string, tenant: TenantRecord) {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `ACCOUNT#${accountId}`, sk: 'PRESENCE' },
          UpdateExpression: 'SET tenant = :t',
          ConditionExpression: 'attribute_not_exists(tenant)',
          ExpressionAttributeValues: { ':t': tenant },
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }

  async updateTenant(accountId: string, change: { sealedRefreshToken?: string; grantRevokedAt?: string }) {
    const sets = Object.entries(change).filter(([, v]) => v !== undefined);
    if (sets.length === 0) return;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `ACCOUNT#${accountId}`, sk: 'PRESENCE' },
          UpdateExpression: `SET ${sets.map((_, i) => `tenant.#k${i} = :v${i}`).join(', ')}`,
          ConditionExpression: 'attribute_exists(tenant)',
          ExpressionAttributeNames: Object.fromEntries(sets.map(([k], i) => [`#k${i}`, k])),
          ExpressionAttributeValues: Object.fromEntries(sets.map(([, v], i) => [`:v${i}`, v])),
        }),
      );
    } catch (error) {
      if (!conditionFailed(error)) throw error; // disconnected meanwhile: nothing to update
    }
  }

  async putAuthorization(record: AuthorizationRecord) {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: `OAUTH#${record.state}`,
          sk: 'OAUTH',
          ...record,
          expiresAtEpoch: Math.ceil(Date.parse(record.expiresAt) / 1000),
        },
      }),
    );
  }

  async takeAuthorization(state: string) {
    const answer = await this.client.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { pk: `OAUTH#${state}`, sk: 'OAUTH' },
        ReturnValues: 'ALL_OLD',
      }),
    );
    const item = answer.Attributes;
    if (!item) return undefined;
    const { pk: _pk, sk: _sk, expiresAtEpoch: _e, ...record } = item;
    return record as AuthorizationRecord;
  }

  async putSession(session: SessionRecord) {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: `CONN#${session.connectionId}`,
          sk: 'CONN',
          gsi1pk: `ACONN#${session.accountId}`,
          gsi1sk: session.connectionId,
          ...session,
          expiresAtEpoch: this.epoch(600, new Date(session.endsBy)),
        },
      }),
    );
  }

  private static session(item: Item): SessionRecord {
    const { connectionId, installationId, accountId, connectedAt, users, endsBy } = item as unknown as SessionRecord;
    return { connectionId, installationId, accountId, connectedAt, users, endsBy };
  }

  async getSession(connectionId: string) {
    const item = await this.get(`CONN#${connectionId}`, 'CONN');
    return item && DynamoDbPresenceStore.session(item);
  }

  async listSessions(accountId: string) {
    const now = this.clock.now().toISOString();
    // TTL deletes lazily: a session past its end is gone whatever the table still says.
    return (await this.query({ index: 'gsi1', pk: `ACONN#${accountId}` }))
      .map(DynamoDbPresenceStore.session)
      .filter((s) => s.endsBy > now);
  }

  async deleteSession(connectionId: string) {
    const session = await this.getSession(connectionId);
    if (session) {
      const watched = await this.watchedBy(connectionId);
      await this.removeWatches(
        session,
        watched.map((u) => u.id),
      );
    }
    await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: { pk: `CONN#${connectionId}`, sk: 'CONN' } }),
    );
  }

  async cachedUsers(accountId: string, upns: readonly string[]) {
    const now = this.epoch(0);
    const items = await this.batchGet(upns.map((upn) => ({ pk: `UPN#${accountId}`, sk: upn })));
    return items
      .filter((i) => (i.expiresAtEpoch as number) > now)
      .map((i) => ({ id: i.userId as string, upn: i.sk as string }));
  }

  async cacheUsers(accountId: string, users: readonly DirectoryUser[]) {
    const expiresAtEpoch = this.epoch(upnCacheSeconds);
    // a cache: a user left unwritten is looked up again next time
    await batchWrite(
      this.client,
      this.tableName,
      users.map((u) => ({ PutRequest: { Item: { pk: `UPN#${accountId}`, sk: u.upn, userId: u.id, expiresAtEpoch } } })),
    );
  }

  private static watched(accountId: string, item: Item): WatchedUser {
    const presence =
      typeof item.availability === 'string'
        ? { availability: item.availability, activity: item.activity as string, at: item.at as string }
        : undefined;
    void accountId;
    return {
      id: item.sk as string,
      upn: item.upn as string,
      watchers: Number(item.watchers ?? 0),
      ...(typeof item.subscriptionId === 'string' && { subscriptionId: item.subscriptionId }),
      ...(presence && { presence }),
    };
  }

  async addWatches(session: SessionRecord, users: readonly DirectoryUser[]) {
    const out: WatchedUser[] = [];
    const watchEnds = this.epoch(600, new Date(session.endsBy));
    const userEnds = this.epoch(watchSeconds);
    await eachLimited(users, async (user) => {
      let added = true;
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              pk: `W#${session.accountId}#${user.id}`,
              sk: session.connectionId,
              gsi1pk: `CW#${session.connectionId}`,
              gsi1sk: user.id,
              upn: user.upn,
              expiresAtEpoch: watchEnds,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if (!conditionFailed(error)) throw error;
        added = false;
      }
      const answer = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `USER#${session.accountId}`, sk: user.id },
          UpdateExpression: added
            ? 'SET upn = :u, expiresAtEpoch = :e ADD watchers :one'
            : 'SET upn = :u, expiresAtEpoch = :e',
          ExpressionAttributeValues: { ':u': user.upn, ':e': userEnds, ...(added && { ':one': 1 }) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      out.push(DynamoDbPresenceStore.watched(session.accountId, answer.Attributes ?? {}));
    });
    return out;
  }

  async removeWatches(session: SessionRecord, userIds: readonly string[]) {
    await eachLimited(userIds, async (userId) => {
      const removed = await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: `W#${session.accountId}#${userId}`, sk: session.connectionId },
          ReturnValues: 'ALL_OLD',
        }),
      );
      if (!removed.Attributes) return;
      const key = { pk: `USER#${session.accountId}`, sk: userId };
      try {
        const left = await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'ADD watchers :minus',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':minus': -1 },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        if (Number(left.Attributes?.watchers ?? 0) > 0) return;
        // Nobody watches this user any more: its presence is not kept a moment longer.
        await this.client.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: key,
            ConditionExpression: 'watchers <= :zero',
            ExpressionAttributeValues: { ':zero': 0 },
          }),
        );
      } catch (error) {
        if (!conditionFailed(error)) throw error;
      }
    });
  }

  async watchedBy(connectionId: string) {
    return (await this.query({ index: 'gsi1', pk: `CW#${connectionId}` })).map((i) => ({
      id: i.gsi1sk as string,
      upn: i.upn as string,
    }));
  }

  async watchersOf(accountId: string, userIds: readonly string[]) {
    const out = new Map<string, string[]>();
    await eachLimited([...new Set(userIds)], async (userId) => {
      const items = await this.query({ pk: `W#${accountId}#${userId}` });
      out.set(
        userId,
        items.map((i) => i.sk as string),
      );
    });
    return out;
  }

  async getWatchedUsers(accountId: string, userIds: readonly string[]) {
    const items = await this.batchGet([...new Set(userIds)].map((id) => ({ pk: `USER#${accountId}`, sk: id })));
    return items.map((i) => DynamoDbPresenceStore.watched(accountId, i));
  }

  async setCoverage(accountId: string, subscriptionId: string, userIds: readonly string[]) {
    await eachLimited(userIds, async (userId) => {
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: `USER#${accountId}`, sk: userId },
            UpdateExpression: 'SET subscriptionId = :s',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':s': subscriptionId },
          }),
        );
      } catch (error) {
        if (!conditionFailed(error)) throw error;
      }
    });
  }

  async recordPresence(accountId: string, presence: GraphPresence, at: string): Promise<PresenceUpdate | undefined> {
    try {
      const answer = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `USER#${accountId}`, sk: presence.id },
          UpdateExpression: 'SET availability = :a, activity = :b, #at = :at',
          // Unwatched users are not stored; a repeated notification changes nothing and fans out nothing.
          ConditionExpression:
            'attribute_exists(pk) AND watchers > :zero AND (attribute_not_exists(availability) OR availability <> :a OR activity <> :b)',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':a': presence.availability, ':b': presence.activity, ':at': at, ':zero': 0 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return {
        userId: presence.id,
        upn: answer.Attributes?.upn as string,
        availability: presence.availability,
        activity: presence.activity,
        at,
      };
    } catch (error) {
      if (conditionFailed(error)) return undefined;
      throw error;
    }
  }

  async putSubscription(record: SubscriptionRecord) {
    const expiresAtEpoch = this.epoch(24 * hour, new Date(record.expiresAt));
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: `PSUB#${record.subscriptionId}`,
          sk: 'PSUB',
          gsi1pk: 'SUBEXP',
          gsi1sk: `${record.expiresAt}#${record.subscriptionId}`,
          ...record,
          expiresAtEpoch,
        },
      }),
    );
    const { subscriptionId, accountId, graphId, clientState } = record;
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: `GSUB#${graphId}`, sk: 'GSUB', subscriptionId, accountId, graphId, clientState, expiresAtEpoch },
      }),
    );
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `ACCOUNT#${accountId}`, sk: 'PRESENCE' },
        UpdateExpression: 'ADD subscriptionIds :s',
        ExpressionAttributeValues: { ':s': new Set([subscriptionId]) },
      }),
    );
  }

  private static subscription(item: Item): SubscriptionRecord {
    const { subscriptionId, accountId, graphId, clientState, userIds, expiresAt } =
      item as unknown as SubscriptionRecord;
    return { subscriptionId, accountId, graphId, clientState, userIds, expiresAt };
  }

  async getSubscription(subscriptionId: string) {
    const item = await this.get(`PSUB#${subscriptionId}`, 'PSUB');
    return item && DynamoDbPresenceStore.subscription(item);
  }

  async findSubscription(graphId: string) {
    const now = Date.now();
    const cached = this.refs.get(graphId);
    if (cached && cached.until > now) return cached.ref;
    const item = await this.get(`GSUB#${graphId}`, 'GSUB');
    if (!item) return undefined;
    const ref = {
      subscriptionId: item.subscriptionId as string,
      accountId: item.accountId as string,
      graphId,
      clientState: item.clientState as string,
    };
    if (this.refs.size > 10_000) this.refs.clear();
    this.refs.set(graphId, { ref, until: now + refCacheMs });
    return ref;
  }

  async subscriptionsDue(before: string, limit: number) {
    return (await this.query({ index: 'gsi1', pk: 'SUBEXP', below: before, limit })).map(
      DynamoDbPresenceStore.subscription,
    );
  }

  async deleteSubscription(record: SubscriptionRecord) {
    this.refs.delete(record.graphId);
    await this.batchDelete([
      { pk: `PSUB#${record.subscriptionId}`, sk: 'PSUB' },
      { pk: `GSUB#${record.graphId}`, sk: 'GSUB' },
    ]);
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `ACCOUNT#${record.accountId}`, sk: 'PRESENCE' },
        UpdateExpression: 'DELETE subscriptionIds :s',
        ExpressionAttributeValues: { ':s': new Set([record.subscriptionId]) },
      }),
    );
  }

  async eraseTenant(accountId: string) {
    const account = await this.getAccount(accountId);
    for (const id of account?.subscriptionIds ?? []) {
      const record = await this.getSubscription(id);
      if (record) await this.deleteSubscription(record);
    }
    for (const session of await this.query({ index: 'gsi1', pk: `ACONN#${accountId}` }))
      await this.deleteSession(session.connectionId as string);
    const users = await this.query({ pk: `USER#${accountId}` });
    const watches: { pk: string; sk: string }[] = [];
    for (const user of users)
      for (const w of await this.query({ pk: `W#${accountId}#${user.sk as string}` }))
        watches.push({ pk: w.pk as string, sk: w.sk as string });
    const cache = await this.query({ pk: `UPN#${accountId}` });
    await this.batchDelete([
      ...watches,
      ...[...users, ...cache].map((i) => ({ pk: i.pk as string, sk: i.sk as string })),
    ]);
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `ACCOUNT#${accountId}`, sk: 'PRESENCE' },
        UpdateExpression: 'REMOVE tenant, subscriptionIds',
      }),
    );
  }

  async forgetAccount(accountId: string) {
    await this.eraseTenant(accountId);
    await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: { pk: `ACCOUNT#${accountId}`, sk: 'PRESENCE' } }),
    );
  }
}
