import { ValidationError } from '#lambdas/core/errors';
import { depositOrder, orderBodySchema, type OrderBody } from '#lambdas/core/licensing/deposit-order';
import { getAccount } from '#lambdas/core/licensing/get-account';
import { zodFieldErrors } from '#lambdas/shared/http';
import {
  DAY_MS,
  existingAccountOrder,
  licensingWorld,
  newAccountOrder,
  perpetualLine,
  principals,
  RESELLER_ID,
  seedAccount,
  T0,
  type LicensingWorld,
} from '#test/support/licensing-fixtures';

const at = (days: number) => new Date(T0.getTime() + days * DAY_MS).toISOString();
const knownResellers = (...ids: string[]) => ({
  resellers: { isKnownReseller: async (id: string) => ids.includes(id) },
});

function fieldErrorsOf(body: unknown) {
  const parsed = orderBodySchema.safeParse(body);
  return parsed.success ? [] : zodFieldErrors(parsed.error);
}

async function refusal(promise: Promise<unknown>): Promise<ValidationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

let world: LicensingWorld;
beforeEach(async () => {
  world = await licensingWorld();
});

describe('the order body', () => {
  it('takes a subscription line with Care aligned with it', () => {
    const body = newAccountOrder([
      {
        product: 'call-recording',
        quantity: 5,
        kind: 'subscription',
        startsAt: at(0),
        endsAt: at(365),
        care: { level: 'gold' },
      },
    ]);

    expect(fieldErrorsOf(body)).toEqual([]);
  });

  it('refuses Care on a subscription that outlasts it, naming the field', () => {
    const body = newAccountOrder([
      {
        product: 'call-recording',
        quantity: 5,
        kind: 'subscription',
        startsAt: at(0),
        endsAt: at(365),
        care: { level: 'gold', endsAt: at(400) },
      },
    ]);

    expect(fieldErrorsOf(body)).toEqual([
      { path: 'lines.0.care.endsAt', message: expect.stringMatching(/no later than its end/) },
    ]);
  });

  it('refuses a subscription that ends before it starts', () => {
    const body = newAccountOrder([
      { product: 'ivr', quantity: 1, kind: 'subscription', startsAt: at(10), endsAt: at(5) },
    ]);

    expect(fieldErrorsOf(body)).toEqual([{ path: 'lines.0.endsAt', message: 'endsAt must be after startsAt' }]);
  });

  it('refuses an end date on a perpetual line at that field', () => {
    const body = newAccountOrder([{ ...perpetualLine('ivr', 2), endsAt: at(30) } as never]);

    expect(fieldErrorsOf(body)).toEqual([{ path: 'lines.0.endsAt', message: 'unknown field' }]);
  });

  it('still takes every v1 line shape: perpetual with Care, subscription, care renewal', () => {
    const body = newAccountOrder([
      perpetualLine('attendant-console', 10, { level: 'gold', endsAt: at(365) }),
      { product: 'call-recording', quantity: 5, kind: 'subscription', startsAt: at(0), endsAt: at(365) },
      { product: 'attendant-console', kind: 'care', care: { level: 'platinum', startsAt: at(365), endsAt: at(730) } },
    ]);

    expect(fieldErrorsOf(body)).toEqual([]);
  });
});

describe('depositOrder checks what the body alone cannot', () => {
  it('refuses Care that ends before the deposit, by the injected clock', async () => {
    const body = newAccountOrder([perpetualLine('ivr', 2, { level: 'basic', endsAt: at(-1) })]);

    const error = await refusal(depositOrder(world.deps, principals.backoffice, 'PO-PAST', body));

    expect(error.errors).toEqual([
      { path: 'lines.0.care.endsAt', message: expect.stringMatching(/before its deposit/) },
    ]);
    expect(await world.deps.repo.getOrder('PO-PAST')).toBeNull();
  });

  it('refuses a care line whose renewal is already over', async () => {
    const accountId = await seedAccount(world);
    const body = existingAccountOrder(accountId, [
      { product: 'attendant-console', kind: 'care', care: { level: 'gold', startsAt: at(-60), endsAt: at(-30) } },
    ]);

    const error = await refusal(depositOrder(world.deps, principals.backoffice, 'PO-RENEW', body));

    expect(error.errors.map((e) => e.path)).toEqual(['lines.0.care.endsAt']);
  });

  it('refuses an unknown reseller at account.create.resellerId', async () => {
    const body = newAccountOrder(undefined, { resellerId: 'nobody-sells' });

    const error = await refusal(
      depositOrder(world.deps, principals.backoffice, 'PO-RES', body, undefined, knownResellers(RESELLER_ID)),
    );

    expect(error.errors).toEqual([
      { path: 'account.create.resellerId', message: expect.stringMatching(/nobody-sells/) },
    ]);
  });

  it('deposits for an approved reseller', async () => {
    const body = newAccountOrder(undefined, { resellerId: RESELLER_ID });

    const { created } = await depositOrder(
      world.deps,
      principals.backoffice,
      'PO-RES-OK',
      body,
      undefined,
      knownResellers(RESELLER_ID),
    );

    expect(created).toBe(true);
  });

  it('answers a replay the same once its Care has ended since (it is not judged again)', async () => {
    const body = newAccountOrder([perpetualLine('ivr', 2, { level: 'basic', endsAt: at(10) })]);
    const first = await depositOrder(world.deps, principals.backoffice, 'PO-REPLAY', body);
    world.clock.advanceDays(20);

    const again = await depositOrder(world.deps, principals.backoffice, 'PO-REPLAY', body);

    expect(again).toEqual({ created: false, result: first.result });
  });

  it('deposits Care on a subscription line for the subscription’s term', async () => {
    const body: OrderBody = newAccountOrder([
      { product: 'acd', quantity: 3, kind: 'subscription', startsAt: at(0), endsAt: at(100), care: { level: 'gold' } },
    ]);
    const { result } = await depositOrder(world.deps, principals.backoffice, 'PO-SUBCARE', body);

    const account = await getAccount(world.deps, principals.backoffice, result.accountId);

    expect(account.products[0]).toMatchObject({
      product: 'acd',
      capacity: 3,
      kind: 'subscription',
      expiresAt: at(100),
      care: { level: 'gold', expiresAt: at(100) },
    });
  });
});
