/**
 * A shortfall enforced in the store on a local cloud of this file's own, its clock moved: the
 * allocations are kept through the grace period, and the hourly licensing runs of the day after
 * `enforcedAt` (each reading one part of the accounts) reduce them, newest installations first;
 * the account page and the next licence of each installation say the same.
 */
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import type { TestAgent } from '#test/support/agent-client';
import { accountView, activatedAgent, api, call, newAccount, opsToken } from '#test/support/licensing-api';
import { advanceClock, cloudNow, withOwnCloud } from '#test/support/local-cloud';

jest.setTimeout(240_000);

withOwnCloud();

const DAY_MS = 86_400_000;
const fromNow = (days: number) => new Date(cloudNow().getTime() + days * DAY_MS).toISOString();

async function licensedIvr(agent: TestAgent): Promise<unknown> {
  const res = await agent.request(api(), 'GET', `/v1/installations/${agent.keyid}/license`);
  if (res.status !== 200) throw new Error(`licence poll: ${res.status} ${res.text}`);
  const jwks = (await call('GET', `${api()}/.well-known/jwks.json`)).json as JSONWebKeySet;
  const { payload } = await jwtVerify(res.json.license as string, createLocalJWKSet(jwks), {
    issuer: 'ucx-cloud',
    currentDate: cloudNow(),
  });
  return (payload.products as { product: string; capacity: number }[]).find((p) => p.product === 'ivr')?.capacity ?? 0;
}

const allocations = async (accountId: string) =>
  Object.fromEntries(
    ((await accountView(accountId)).installations as { installationId: string; allocation: { ivr?: number } }[]).map(
      (i) => [i.installationId, i.allocation.ivr ?? 0],
    ),
  );

const HOUR_MS = 3_600_000;

/** Seconds from the cloud's now to 5 past the first hour after `iso`. */
const toTheHourAfter = (iso: string) =>
  (Math.ceil(Date.parse(iso) / HOUR_MS) * HOUR_MS + 5 * 60_000 - cloudNow().getTime()) / 1000;

/** A day in hourly steps: the hourly run comes due at each, reading each part of the accounts once. */
async function aDayHourByHour() {
  const runs = [];
  for (let hour = 0; hour < 24; hour++) runs.push(...(await advanceClock({ seconds: 3601 })).schedulesRun);
  return runs;
}

describe('a shortfall on the local cloud', () => {
  it('keeps allocations until enforcedAt; the daily run after it reduces them newest first, and page and licence agree', async () => {
    // Arrange: 5 perpetual and 3 on a subscription ending tomorrow, allocated 5 + 2 + 1.
    const endsAt = fromNow(1);
    const accountId = await newAccount([
      { product: 'ivr', quantity: 5, kind: 'perpetual' },
      { product: 'ivr', quantity: 3, kind: 'subscription', startsAt: fromNow(-30), endsAt },
    ]);
    const oldest = (await activatedAgent(accountId, { allocation: { ivr: 5 } })).agent;
    const middle = (await activatedAgent(accountId, { allocation: { ivr: 2 } })).agent;
    const newest = (await activatedAgent(accountId, { allocation: { ivr: 1 } })).agent;
    const enforcedAt = new Date(Date.parse(endsAt) + 30 * DAY_MS).toISOString();

    // Act 1: past the end, within the grace (the schedule runs on the way).
    await advanceClock({ days: 20 });
    const inGrace = await allocations(accountId);
    const shortfallInGrace = ((await accountView(accountId)).products as { shortfall?: unknown }[])[0]?.shortfall;
    const newestInGrace = await licensedIvr(newest);

    // Act 2: past enforcedAt, then a day of the hourly licensing run.
    await advanceClock({ seconds: toTheHourAfter(enforcedAt) });
    const runs = await aDayHourByHour();
    const after = await allocations(accountId);
    const product = ((await accountView(accountId)).products as Record<string, unknown>[])[0];
    const licences = [await licensedIvr(oldest), await licensedIvr(middle), await licensedIvr(newest)];
    const audit = await call('GET', `${api()}/v1/accounts/${accountId}/audit`, { token: opsToken() });

    // Assert
    expect(inGrace).toEqual({ [oldest.keyid]: 5, [middle.keyid]: 2, [newest.keyid]: 1 });
    expect(shortfallInGrace).toEqual({ quantity: 3, enforcedAt });
    expect(newestInGrace).toBe(1);
    // the hourly run's own schedule (the account-view repair's schedule targets the same function)
    expect(runs.filter((run) => run.region === 'eu' && run.schedule.startsWith('StaleReleaseSchedule'))).toHaveLength(
      24,
    );
    expect(runs.filter((run) => run.error)).toEqual([]);
    expect(after).toEqual({ [oldest.keyid]: 5, [middle.keyid]: 0, [newest.keyid]: 0 });
    expect(product).toMatchObject({ capacity: 5, allocated: 5, free: 0 });
    expect(product?.['shortfall']).toBeUndefined();
    expect(licences).toEqual([5, 0, 0]);
    expect(
      (audit.json.events as { action: string; details: Record<string, unknown> }[])
        .filter((e) => e.action === 'installation.allocation-reduced')
        .map((e) => [e.details['installationId'], e.details['reason']]),
    ).toEqual(
      expect.arrayContaining([
        [newest.keyid, 'shortfall'],
        [middle.keyid, 'shortfall'],
      ]),
    );
  });
});
