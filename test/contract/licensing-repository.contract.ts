/**
 * What every LicensingRepository must do, driven through the port alone: the in-memory fake the
 * unit tests use and the DynamoDB adapter both run it, so the fake cannot drift from the real one.
 * Each commit either applies whole or is refused with the CommitRejected reason the use cases
 * branch on; its audit event is read back through the audit log port.
 */
import type { Installation } from '#lambdas/core/licensing/model';
import { CommitRejected } from '#lambdas/core/licensing/repository';
import {
  accountNow,
  accountRecord,
  activationKeyRecord,
  activationOf,
  allocationChangeOf,
  auditActions,
  auditEvent,
  type ContractWorld,
  deactivationOf,
  existingAccountOrder,
  givenAccount,
  givenInstallation,
  givenKey,
  installationNow,
  installationRecord,
  licenseOf,
  type LicensingStore,
  newAccountOrder,
  poolNow,
  entitlementOf,
  standingNow,
  standingsNow,
  checksNow,
  poolsOf,
  refusalOf,
  telemetrySwitchOf,
} from '#test/contract/licensing-records';
import { FixedClock, SequentialIds } from '#test/support/licensing-fixtures';

export type { LicensingStore };

const HOUR_MS = 3_600_000;

/** The reason a commit was refused with (anything else than a refusal is rethrown). */
const refusalReason = (error: unknown) => {
  if (error instanceof CommitRejected) return error.reason;
  throw error;
};

export function licensingRepositoryContract(
  name: string,
  makeRepository: () => LicensingStore | Promise<LicensingStore>,
): void {
  describe(`${name} (LicensingRepository contract)`, () => {
    // ids stay unique across the tests, so implementations may share one table between them
    const ids = new SequentialIds();
    let world: ContractWorld;
    let repo: ContractWorld['repository'];

    beforeEach(async () => {
      world = { ...(await makeRepository()), clock: new FixedClock(), ids };
      repo = world.repository;
    });

    describe('orders and accounts', () => {
      it('reads no account and no order that were never deposited', async () => {
        // Act
        const state = await repo.getAccountState('acc_never');
        const order = await repo.getOrder('PO-never');

        // Assert
        expect(state).toBeNull();
        expect(order).toBeNull();
      });

      it('creates the account, its entitlements, its pools and the order in one commit', async () => {
        // Arrange
        const account = accountRecord(world, { resellerId: 'northwind-telecom' });
        const startsAt = world.clock.now().toISOString();
        const perpetual = entitlementOf(world, 'attendant-console', 10, {
          care: { level: 'gold', startsAt, endsAt: '2027-03-01T00:00:00.000Z' },
        });
        const subscription = entitlementOf(world, 'ivr', 5, {
          kind: 'subscription',
          endsAt: '2026-12-31T00:00:00.000Z',
        });
        const commit = newAccountOrder(world, account, [subscription, perpetual]);

        // Act
        await repo.commitOrder(commit);

        // Assert
        expect(await repo.getAccountState(account.accountId)).toEqual({
          account,
          pools: [
            { product: 'attendant-console', allocated: 0, entitlementsRev: 1 },
            { product: 'ivr', allocated: 0, entitlementsRev: 1 },
          ],
          // by product, then entitlement id
          entitlements: [perpetual, subscription],
          installations: [],
        });
        expect(await repo.getOrder(commit.order.orderId)).toEqual(commit.order);
      });

      it("creates a sign-up's account with its owner and audit event, once per person", async () => {
        // Arrange
        const account = accountRecord(world, { country: 'US', origin: 'sign-up' });
        const ownerSub = world.ids.id('sub-');
        const second = accountRecord(world, { origin: 'sign-up' });

        // Act
        await repo.commitAccountCreation({
          record: account,
          ownerSub,
          audit: auditEvent(world, account.accountId, 'account.created'),
        });
        const refusal = await repo
          .commitAccountCreation({
            record: second,
            ownerSub,
            audit: auditEvent(world, second.accountId, 'account.created'),
          })
          .catch(refusalReason);

        // Assert
        expect(await repo.getAccountState(account.accountId)).toEqual({
          account,
          pools: [],
          entitlements: [],
          installations: [],
        });
        expect(await repo.getAccountIdOfOwner(ownerSub)).toBe(account.accountId);
        expect(await repo.getAccountIdOfOwner('sub-nobody')).toBeNull();
        expect(refusal).toBe('account-exists');
        expect(await repo.getAccountState(second.accountId)).toBeNull();
        expect(await auditActions(world, account.accountId)).toEqual(['account.created']);
      });

      it('refuses the same order id again as order-exists, whatever it holds, and changes nothing', async () => {
        // Arrange
        const account = accountRecord(world);
        const first = newAccountOrder(world, account, [entitlementOf(world, 'attendant-console', 10)]);
        await repo.commitOrder(first);
        const again = existingAccountOrder(world, account, [entitlementOf(world, 'attendant-console', 5)]);
        const sameId = { ...again, order: { ...again.order, orderId: first.order.orderId, bodyHash: 'other' } };

        // Act
        const refused = await refusalOf(repo.commitOrder(sameId));

        // Assert
        expect(refused.reason).toBe('order-exists');
        expect(await repo.getOrder(first.order.orderId)).toEqual(first.order);
        expect(await standingNow(world, account.accountId, 'attendant-console')).toMatchObject({
          capacity: 10,
          free: 10,
        });
        expect(await accountNow(world, account.accountId)).toEqual(account);
      });

      it('refuses to create an account that exists as stale', async () => {
        // Arrange
        const account = await givenAccount(world);

        // Act
        const refused = await refusalOf(
          repo.commitOrder(newAccountOrder(world, account, [entitlementOf(world, 'attendant-console', 3)])),
        );

        // Assert
        expect(refused.reason).toBe('stale');
        expect(await standingNow(world, account.accountId, 'attendant-console')).toMatchObject({ capacity: 10 });
      });

      it('adds an order to an existing account: each line an entitlement of its own beside the earlier ones, the revs go up', async () => {
        // Arrange
        const basicCare = { level: 'basic' as const, endsAt: '2026-12-01T00:00:00.000Z' };
        const earlier = [
          entitlementOf(world, 'attendant-console', 10, { care: basicCare }),
          entitlementOf(world, 'ivr', 2, { kind: 'subscription', endsAt: '2026-06-30T00:00:00.000Z' }),
        ];
        const account = await givenAccount(world, earlier);
        const later = [
          entitlementOf(world, 'attendant-console', 5, {
            care: { level: 'gold', endsAt: '2027-12-01T00:00:00.000Z' },
          }),
          entitlementOf(world, 'ivr', 1, { kind: 'subscription', endsAt: '2027-06-30T00:00:00.000Z' }),
          entitlementOf(world, 'ivr', 0, {
            kind: 'care',
            care: { level: 'platinum', endsAt: '2027-01-01T00:00:00.000Z' },
          }),
          entitlementOf(world, 'call-recording', 4),
        ];

        // Act
        await repo.commitOrder(existingAccountOrder(world, account, later));

        // Assert
        const state = await repo.getAccountState(account.accountId);
        expect(state?.account).toEqual({ ...account, termsRev: account.termsRev + 1 });
        expect(state?.pools).toEqual([
          { product: 'attendant-console', allocated: 0, entitlementsRev: 2 },
          { product: 'call-recording', allocated: 0, entitlementsRev: 1 },
          { product: 'ivr', allocated: 0, entitlementsRev: 2 },
        ]);
        // nothing is merged away: the earlier lines keep their own terms
        expect(state?.entitlements).toEqual([earlier[0], later[0], later[3], earlier[1], later[1], later[2]]);
        expect(await standingsNow(world, account.accountId)).toEqual([
          { product: 'attendant-console', capacity: 15, allocated: 0, free: 15 },
          { product: 'call-recording', capacity: 4, allocated: 0, free: 4 },
          { product: 'ivr', capacity: 3, allocated: 0, free: 3 },
        ]);
      });

      it.each([
        ['installSeq', { installSeq: 1 }],
        ['termsRev', { termsRev: 2 }],
      ])('refuses an order for an account read at another %s as stale', async (_field, readAt) => {
        // Arrange
        const account = await givenAccount(world);
        const asRead = { ...account, ...readAt };

        // Act
        const refused = await refusalOf(
          repo.commitOrder(existingAccountOrder(world, asRead, [entitlementOf(world, 'attendant-console', 5)])),
        );

        // Assert
        expect(refused.reason).toBe('stale');
        expect(await standingNow(world, account.accountId, 'attendant-console')).toMatchObject({ capacity: 10 });
        expect(await auditActions(world, account.accountId)).toEqual(['order.deposited']);
      });

      it('refuses an order for an account that does not exist as stale', async () => {
        // Arrange
        const missing = accountRecord(world);

        // Act
        const refused = await refusalOf(
          repo.commitOrder(existingAccountOrder(world, missing, [entitlementOf(world, 'attendant-console', 5)])),
        );

        // Assert
        expect(refused.reason).toBe('stale');
        expect(await repo.getAccountState(missing.accountId)).toBeNull();
      });

      it("bumps the account's termsRev once and changes no installation item, however many the account has", async () => {
        // Arrange
        const account = await givenAccount(world);
        const a = await givenInstallation(world, account.accountId, { 'attendant-console': 2 });
        const b = await givenInstallation(world, account.accountId, { 'attendant-console': 3 });
        const read = await accountNow(world, account.accountId);

        // Act
        await repo.commitOrder(existingAccountOrder(world, read, [entitlementOf(world, 'ivr', 1)]));

        // Assert
        expect(await accountNow(world, account.accountId)).toEqual({ ...read, termsRev: read.termsRev + 1 });
        expect(await installationNow(world, a.installationId)).toEqual(a);
        expect(await installationNow(world, b.installationId)).toEqual(b);
      });

      it("grants the deposit to the account's follower installation, bumping its rev once", async () => {
        // Arrange
        const account = await givenAccount(world);
        const follower = await givenInstallation(
          world,
          account.accountId,
          { 'attendant-console': 10 },
          { becomeFollower: true },
        );

        const lines = [entitlementOf(world, 'attendant-console', 3), entitlementOf(world, 'ivr', 2)];
        const grant = { 'attendant-console': 3, ivr: 2 };

        // Act
        await repo.commitOrder(
          existingAccountOrder(world, await accountNow(world, account.accountId), lines, {
            pools: poolsOf(lines, grant),
            followerGrant: { installationId: follower.installationId, add: grant },
          }),
        );

        // Assert
        const after = await installationNow(world, follower.installationId);
        expect(after.allocation).toEqual({ 'attendant-console': 13, ivr: 2 });
        expect(after.rev).toBe(follower.rev + 1);
        const state = await repo.getAccountState(account.accountId);
        expect(state?.installations[0]?.allocation).toEqual({ 'attendant-console': 13, ivr: 2 });
        expect(state?.pools).toEqual([
          { product: 'attendant-console', allocated: 13, entitlementsRev: 2 },
          { product: 'ivr', allocated: 2, entitlementsRev: 1 },
        ]);
        expect(await standingsNow(world, account.accountId)).toEqual([
          { product: 'attendant-console', capacity: 13, allocated: 13, free: 0 },
          { product: 'ivr', capacity: 2, allocated: 2, free: 0 },
        ]);
      });

      it('refuses a grant to a follower that is no longer active as stale', async () => {
        // Arrange
        const account = await givenAccount(world);
        const follower = await givenInstallation(
          world,
          account.accountId,
          { 'attendant-console': 10 },
          { becomeFollower: true },
        );
        await repo.commitDeactivation(deactivationOf(world, follower));

        const lines = [entitlementOf(world, 'attendant-console', 3)];
        const grant = { 'attendant-console': 3 };

        // Act
        const refused = await refusalOf(
          repo.commitOrder(
            existingAccountOrder(world, await accountNow(world, account.accountId), lines, {
              pools: poolsOf(lines, grant),
              followerGrant: { installationId: follower.installationId, add: grant },
            }),
          ),
        );

        // Assert
        expect(refused.reason).toBe('stale');
        expect(await standingNow(world, account.accountId, 'attendant-console')).toMatchObject({
          capacity: 10,
          free: 10,
        });
      });
    });

    describe('activation keys', () => {
      it('stores a key and reads it back unused; an unknown hash reads nothing', async () => {
        // Arrange
        const account = await givenAccount(world);
        const key = activationKeyRecord(world, account.accountId, { 'attendant-console': 2 }, { followsPool: true });

        // Act
        await repo.putActivationKey(key, auditEvent(world, account.accountId, 'activation-key.created'));

        // Assert
        expect(await repo.getActivationKey(key.keyHash)).toEqual(key);
        expect(await repo.getActivationKey('keyhash-never')).toBeNull();
      });

      it('refuses a second key with the same hash as stale, keeping the first', async () => {
        // Arrange
        const account = await givenAccount(world);
        const key = await givenKey(world, account.accountId, { 'attendant-console': 2 });

        // Act
        const refused = await refusalOf(
          repo.putActivationKey(
            { ...key, allocation: { 'attendant-console': 9 } },
            auditEvent(world, account.accountId, 'activation-key.created'),
          ),
        );

        // Assert
        expect(refused.reason).toBe('stale');
        expect(await repo.getActivationKey(key.keyHash)).toEqual(key);
      });
    });

    describe('activation', () => {
      it('activates within capacity: the key is used, the pool allocates, the installation is stored and found by its thumbprint', async () => {
        // Arrange
        const account = await givenAccount(world);
        const key = await givenKey(world, account.accountId, { 'attendant-console': 4 });
        const installation = installationRecord(world, key);

        // Act
        await repo.commitActivation(await activationOf(world, key, installation));

        // Assert
        expect(await repo.getActivationKey(key.keyHash)).toEqual({ ...key, usedBy: installation.installationId });
        expect(await repo.getInstallation(installation.installationId)).toEqual(installation);
        expect(await repo.findInstallationIdByThumbprint(installation.thumbprint)).toBe(installation.installationId);
        const state = await repo.getAccountState(account.accountId);
        expect(state?.account).toEqual({ ...account, installSeq: account.installSeq + 1 });
        expect(state?.pools).toEqual([{ product: 'attendant-console', allocated: 4, entitlementsRev: 1 }]);
        expect(await standingsNow(world, account.accountId)).toEqual([
          { product: 'attendant-console', capacity: 10, allocated: 4, free: 6 },
        ]);
        expect(state?.installations).toEqual([
          {
            installationId: installation.installationId,
            status: 'active',
            allocation: { 'attendant-console': 4 },
            nodes: installation.nodes,
            suiteVersion: installation.suiteVersion,
            activatedAt: installation.activatedAt,
          },
        ]);
      });

      it('activates up to the last free licence', async () => {
        // Arrange
        const account = await givenAccount(world, [
          entitlementOf(world, 'attendant-console', 10),
          entitlementOf(world, 'ivr', 1),
        ]);
        const key = await givenKey(world, account.accountId, { 'attendant-console': 10, ivr: 1 });

        // Act
        await repo.commitActivation(await activationOf(world, key, installationRecord(world, key)));

        // Assert
        expect((await standingsNow(world, account.accountId)).map((p) => p.free)).toEqual([0, 0]);
      });

      it('refuses an activation beyond free capacity as capacity, and changes nothing', async () => {
        // Arrange
        const account = await givenAccount(world, [
          entitlementOf(world, 'attendant-console', 10),
          entitlementOf(world, 'ivr', 1),
        ]);
        await givenInstallation(world, account.accountId, { 'attendant-console': 8 });
        const key = await givenKey(world, account.accountId, { 'attendant-console': 3, ivr: 1 });
        const installation = installationRecord(world, key);

        // Act
        const refused = await refusalOf(repo.commitActivation(await activationOf(world, key, installation)));

        // Assert
        expect(refused.reason).toBe('capacity');
        expect(await repo.getActivationKey(key.keyHash)).toEqual(key);
        expect(await repo.getInstallation(installation.installationId)).toBeNull();
        expect(await repo.findInstallationIdByThumbprint(installation.thumbprint)).toBeNull();
        const state = await repo.getAccountState(account.accountId);
        expect((await standingsNow(world, account.accountId)).map((p) => [p.product, p.free])).toEqual([
          ['attendant-console', 2],
          ['ivr', 1],
        ]);
        expect(state?.installations).toHaveLength(1);
      });

      it('refuses an activation of a product the account holds no pool of as capacity', async () => {
        // Arrange
        const account = await givenAccount(world);
        const key = await givenKey(world, account.accountId, { 'digital-fax': 1 });

        // Act
        const refused = await refusalOf(
          repo.commitActivation(await activationOf(world, key, installationRecord(world, key))),
        );

        // Assert
        expect(refused.reason).toBe('capacity');
        expect(await poolNow(world, account.accountId, 'digital-fax')).toBeUndefined();
      });

      it('refuses an activation beyond the capacity the commit names as capacity, whatever was deposited (a subscription that ended)', async () => {
        // Arrange
        const account = await givenAccount(world, [
          entitlementOf(world, 'ivr', 5),
          entitlementOf(world, 'ivr', 3, { kind: 'subscription', endsAt: world.clock.now().toISOString() }),
        ]);
        await givenInstallation(world, account.accountId, { ivr: 4 });
        const key = await givenKey(world, account.accountId, { ivr: 2 });
        const installation = installationRecord(world, key);
        const [check] = await checksNow(world, account.accountId, ['ivr']);

        // Act
        const refused = await refusalOf(repo.commitActivation(await activationOf(world, key, installation)));
        const justFits = await givenInstallation(world, account.accountId, { ivr: 1 });

        // Assert
        expect(check).toEqual({ product: 'ivr', capacity: 5, entitlementsRev: 1 });
        expect(refused).toMatchObject({ reason: 'capacity' });
        expect(await repo.getInstallation(installation.installationId)).toBeNull();
        expect(justFits.status).toBe('active');
        expect(await poolNow(world, account.accountId, 'ivr')).toEqual({
          product: 'ivr',
          allocated: 5,
          entitlementsRev: 1,
        });
      });

      it('refuses an activation computed from entitlements a deposit changed since as stale', async () => {
        // Arrange
        const account = await givenAccount(world);
        const asRead = await checksNow(world, account.accountId, ['attendant-console']);
        await repo.commitOrder(
          existingAccountOrder(world, await accountNow(world, account.accountId), [
            entitlementOf(world, 'attendant-console', 5),
          ]),
        );
        const key = await givenKey(world, account.accountId, { 'attendant-console': 1 });
        const installation = installationRecord(world, key);

        // Act
        const refused = await refusalOf(
          repo.commitActivation(await activationOf(world, key, installation, { capacity: asRead })),
        );

        // Assert
        expect(refused.reason).toBe('stale');
        expect(await poolNow(world, account.accountId, 'attendant-console')).toMatchObject({ allocated: 0 });
        expect(await repo.getActivationKey(key.keyHash)).toEqual(key);
      });

      it('lets exactly k of n concurrent activations through against capacity k', async () => {
        // Arrange
        const capacity = 3;
        const account = await givenAccount(world, [entitlementOf(world, 'acd', capacity)]);
        const keys = [];
        for (let n = 0; n < 6; n++) keys.push(await givenKey(world, account.accountId, { acd: 1 }));
        const commits = await Promise.all(keys.map((key) => activationOf(world, key, installationRecord(world, key))));

        // Act: all at once from the same read, then the refused ones again, read afresh, until none is stale
        const outcomes = await Promise.all(
          commits.map((commit) => repo.commitActivation(commit).then(() => 'applied' as const, refusalReason)),
        );
        for (let n = 0; n < commits.length; n++) {
          while (outcomes[n] === 'stale') {
            const commit = commits[n]!;
            const again = await activationOf(world, keys[n]!, commit.installation);
            outcomes[n] = await repo.commitActivation(again).then(() => 'applied' as const, refusalReason);
          }
        }

        // Assert
        expect(outcomes.filter((o) => o === 'applied')).toHaveLength(capacity);
        expect(outcomes.filter((o) => o !== 'applied')).toEqual(['capacity', 'capacity', 'capacity']);
        expect(await standingNow(world, account.accountId, 'acd')).toEqual({
          product: 'acd',
          capacity,
          allocated: capacity,
          free: 0,
        });
      });

      it.each([
        ['already used', 'used'],
        ['expired (expiresAt is now)', 'expired'],
        ['unknown', 'unknown'],
      ] as const)('refuses a key that is %s as key-unavailable', async (_case, which) => {
        // Arrange
        const account = await givenAccount(world);
        const key =
          which === 'unknown'
            ? activationKeyRecord(world, account.accountId, { 'attendant-console': 1 })
            : await givenKey(world, account.accountId, { 'attendant-console': 1 });
        if (which === 'used') {
          await repo.commitActivation(await activationOf(world, key, installationRecord(world, key)));
        }
        if (which === 'expired') world.clock.set(new Date(key.expiresAt));
        const installation = installationRecord(world, key);

        // Act
        const refused = await refusalOf(repo.commitActivation(await activationOf(world, key, installation)));

        // Assert
        expect(refused.reason).toBe('key-unavailable');
        expect(await repo.getInstallation(installation.installationId)).toBeNull();
      });

      it('activates with a key one millisecond before it expires', async () => {
        // Arrange
        const account = await givenAccount(world);
        const key = await givenKey(world, account.accountId, { 'attendant-console': 1 });
        world.clock.set(new Date(Date.parse(key.expiresAt) - 1));
        const installation = installationRecord(world, key);

        // Act
        await repo.commitActivation(await activationOf(world, key, installation));

        // Assert
        expect(await repo.getInstallation(installation.installationId)).toEqual(installation);
      });

      it('refuses the same key and public key again as key-unavailable; the public key still finds the first installation', async () => {
        // Arrange
        const account = await givenAccount(world);
        const key = await givenKey(world, account.accountId, { 'attendant-console': 2 });
        const first = installationRecord(world, key);
        await repo.commitActivation(await activationOf(world, key, first));
        const retry = { ...installationRecord(world, key), publicKey: first.publicKey, thumbprint: first.thumbprint };

        // Act
        const refused = await refusalOf(repo.commitActivation(await activationOf(world, key, retry)));

        // Assert
        expect(refused.reason).toBe('key-unavailable');
        expect(await repo.findInstallationIdByThumbprint(first.thumbprint)).toBe(first.installationId);
        expect(await repo.getInstallation(first.installationId)).toEqual(first);
        expect(await standingNow(world, account.accountId, 'attendant-console')).toMatchObject({
          allocated: 2,
          free: 8,
        });
      });

      it('refuses a public key already bound to an installation, with a fresh key, as installation-exists', async () => {
        // Arrange
        const account = await givenAccount(world);
        const bound = await givenInstallation(world, account.accountId, { 'attendant-console': 2 });
        const freshKey = await givenKey(world, account.accountId, { 'attendant-console': 2 });
        const sameIdentity = { ...installationRecord(world, freshKey), thumbprint: bound.thumbprint };

        // Act
        const refused = await refusalOf(repo.commitActivation(await activationOf(world, freshKey, sameIdentity)));

        // Assert
        expect(refused.reason).toBe('installation-exists');
        expect(await repo.getActivationKey(freshKey.keyHash)).toEqual(freshKey);
        expect(await repo.findInstallationIdByThumbprint(bound.thumbprint)).toBe(bound.installationId);
      });

      it('refuses an activation read at another termsRev as stale', async () => {
        // Arrange
        const account = await givenAccount(world);
        const key = await givenKey(world, account.accountId, { 'attendant-console': 1 });
        const installation = installationRecord(world, key);

        // Act
        const refused = await refusalOf(
          repo.commitActivation(
            await activationOf(world, key, installation, { expectedTermsRev: account.termsRev + 1 }),
          ),
        );

        // Assert
        expect(refused.reason).toBe('stale');
        expect(await repo.getActivationKey(key.keyHash)).toEqual(key);
      });

      it("makes the first follower activation the account's follower, and refuses a second follower as stale", async () => {
        // Arrange
        const account = await givenAccount(world);
        const first = await givenInstallation(
          world,
          account.accountId,
          { 'attendant-console': 2 },
          { becomeFollower: true },
        );
        const key = await givenKey(world, account.accountId, { 'attendant-console': 2 }, { followsPool: true });

        // Act
        const refused = await refusalOf(
          repo.commitActivation(
            await activationOf(world, key, installationRecord(world, key), { becomeFollower: true }),
          ),
        );

        // Assert
        expect((await accountNow(world, account.accountId)).followerInstallationId).toBe(first.installationId);
        expect(refused.reason).toBe('stale');
      });
    });

    describe('installation reads', () => {
      it('reads nothing for an unknown installation, thumbprint or poll', async () => {
        // Act
        const installation = await repo.getInstallation('inst_never');
        const eventually = await repo.getInstallation('inst_never', { consistentRead: false });
        const byThumbprint = await repo.findInstallationIdByThumbprint('thumb-never');
        const polls = await repo.getLastPolls(['inst_never']);

        // Assert
        expect(installation).toBeNull();
        expect(eventually).toBeNull();
        expect(byThumbprint).toBeNull();
        expect(polls.size).toBe(0);
      });

      it("reads an account's termsRev and telemetry switch, strongly and eventually consistent; nothing for an unknown account", async () => {
        // Arrange
        const account = await givenAccount(world);
        await repo.commitTelemetrySwitch(telemetrySwitchOf(world, await accountNow(world, account.accountId), false));

        // Act
        const strong = await repo.getAccountTerms(account.accountId);
        const eventually = await repo.getAccountTerms(account.accountId, { consistentRead: false });
        const unknown = await repo.getAccountTerms('acc_never');

        // Assert
        expect(strong).toEqual({ termsRev: account.termsRev + 1, telemetryEnabled: false });
        expect(eventually).toEqual(strong);
        expect(unknown).toBeNull();
      });

      it("reads each active installation with its account's terms as the latest change of them left them", async () => {
        // Arrange
        const account = await givenAccount(world);
        const first = await givenInstallation(world, account.accountId, { 'attendant-console': 1 });
        const second = await givenInstallation(world, account.accountId, { 'attendant-console': 1 });
        const atActivation = await repo.getInstallationWithTerms(first.installationId, { consistentRead: false });

        // Act
        await repo.commitTelemetrySwitch(telemetrySwitchOf(world, await accountNow(world, account.accountId), false));
        const afterSwitch = await repo.getInstallationWithTerms(first.installationId);
        await repo.commitDeactivation(deactivationOf(world, await installationNow(world, second.installationId)));
        const afterDeactivation = await repo.getInstallationWithTerms(first.installationId);

        // Assert
        expect(atActivation).toEqual({
          installation: first,
          terms: { termsRev: account.termsRev, telemetryEnabled: true },
        });
        expect(afterSwitch?.terms).toEqual({ termsRev: account.termsRev + 1, telemetryEnabled: false });
        expect(afterDeactivation?.terms).toEqual(await repo.getAccountTerms(account.accountId));
        expect(afterDeactivation?.terms?.termsRev).toBe(account.termsRev + 2);
        expect(afterDeactivation?.installation).toEqual(await installationNow(world, first.installationId));
        expect(await repo.getInstallationWithTerms('inst_never')).toBeNull();
      });

      it('reads an installation eventually consistent as well (the poll path)', async () => {
        // Arrange
        const account = await givenAccount(world);
        const installation = await givenInstallation(world, account.accountId, { 'attendant-console': 1 });

        // Act
        const read = await repo.getInstallation(installation.installationId, { consistentRead: false });

        // Assert
        expect(read).toEqual(installation);
      });
    });

    describe('deactivation', () => {
      it('deactivates: status, time and rev change, and the allocation goes back to the pool', async () => {
        // Arrange
        const account = await givenAccount(world, [
          entitlementOf(world, 'attendant-console', 10),
          entitlementOf(world, 'ivr', 3),
        ]);
        const installation = await givenInstallation(world, account.accountId, { 'attendant-console': 4, ivr: 3 });
        world.clock.advance(HOUR_MS);
        const commit = deactivationOf(world, installation);

        // Act
        await repo.commitDeactivation(commit);

        // Assert
        expect(await repo.getInstallation(installation.installationId)).toEqual({
          ...installation,
          status: 'deactivated',
          deactivatedAt: commit.now,
          rev: installation.rev + 1,
        });
        const state = await repo.getAccountState(account.accountId);
        expect(state?.installations).toEqual([
          expect.objectContaining({ status: 'deactivated', deactivatedAt: commit.now }),
        ]);
        expect((await standingsNow(world, account.accountId)).map((p) => [p.product, p.allocated, p.free])).toEqual([
          ['attendant-console', 0, 10],
          ['ivr', 0, 3],
        ]);
        expect(await repo.findInstallationIdByThumbprint(installation.thumbprint)).toBe(installation.installationId);
      });

      it("bumps the account's termsRev (the others' backing moves) and changes no other installation", async () => {
        // Arrange
        const account = await givenAccount(world);
        const older = await givenInstallation(world, account.accountId, { 'attendant-console': 4 });
        const newer = await givenInstallation(world, account.accountId, { 'attendant-console': 2 });
        const read = await accountNow(world, account.accountId);

        // Act
        await repo.commitDeactivation(deactivationOf(world, older));

        // Assert
        expect(await accountNow(world, account.accountId)).toEqual({ ...read, termsRev: read.termsRev + 1 });
        expect(await installationNow(world, newer.installationId)).toEqual(newer);
      });

      it('refuses the same deactivation again as stale, so the capacity goes back once', async () => {
        // Arrange
        const account = await givenAccount(world);
        const installation = await givenInstallation(world, account.accountId, { 'attendant-console': 4 });
        await repo.commitDeactivation(deactivationOf(world, installation));

        // Act
        const refused = await refusalOf(repo.commitDeactivation(deactivationOf(world, installation)));

        // Assert
        expect(refused.reason).toBe('stale');
        expect(await standingNow(world, account.accountId, 'attendant-console')).toMatchObject({
          allocated: 0,
          free: 10,
        });
      });

      it('refuses a deactivation of an installation read before it changed as stale', async () => {
        // Arrange
        const account = await givenAccount(world);
        const read = await givenInstallation(world, account.accountId, { 'attendant-console': 4 });
        await repo.commitAllocationChange(await allocationChangeOf(world, read, { 'attendant-console': 6 }));

        // Act
        const refused = await refusalOf(repo.commitDeactivation(deactivationOf(world, read)));

        // Assert
        expect(refused.reason).toBe('stale');
        expect((await installationNow(world, read.installationId)).status).toBe('active');
        expect(await standingNow(world, account.accountId, 'attendant-console')).toMatchObject({
          allocated: 6,
          free: 4,
        });
      });

      it('clears the follower with its deactivation', async () => {
        // Arrange
        const account = await givenAccount(world);
        const follower = await givenInstallation(
          world,
          account.accountId,
          { 'attendant-console': 4 },
          { becomeFollower: true },
        );

        // Act
        await repo.commitDeactivation(deactivationOf(world, follower, { clearFollower: true }));

        // Assert
        const after = await accountNow(world, account.accountId);
        expect(after.followerInstallationId).toBeUndefined();
        expect(after).toEqual({ ...account, installSeq: account.installSeq + 1, termsRev: account.termsRev + 1 });
      });

      it('refuses to clear the follower for an installation that is not it as stale', async () => {
        // Arrange
        const account = await givenAccount(world);
        const follower = await givenInstallation(
          world,
          account.accountId,
          { 'attendant-console': 4 },
          { becomeFollower: true },
        );
        const other = await givenInstallation(world, account.accountId, { 'attendant-console': 1 });

        // Act
        const refused = await refusalOf(repo.commitDeactivation(deactivationOf(world, other, { clearFollower: true })));

        // Assert
        expect(refused.reason).toBe('stale');
        expect((await accountNow(world, account.accountId)).followerInstallationId).toBe(follower.installationId);
        expect((await installationNow(world, other.installationId)).status).toBe('active');
      });
    });

    describe('allocation change', () => {
      it('raises within free capacity: allocation, rev, summary and pool change together', async () => {
        // Arrange
        const account = await givenAccount(world);
        const installation = await givenInstallation(world, account.accountId, { 'attendant-console': 4 });

        // Act
        await repo.commitAllocationChange(await allocationChangeOf(world, installation, { 'attendant-console': 10 }));

        // Assert
        const after = await installationNow(world, installation.installationId);
        expect(after).toEqual({ ...installation, allocation: { 'attendant-console': 10 }, rev: installation.rev + 1 });
        const state = await repo.getAccountState(account.accountId);
        expect(state?.installations[0]?.allocation).toEqual({ 'attendant-console': 10 });
        expect((await standingsNow(world, account.accountId))[0]).toMatchObject({
          capacity: 10,
          allocated: 10,
          free: 0,
        });
      });

      it('refuses a raise beyond free capacity as capacity, naming the product, and changes nothing', async () => {
        // Arrange
        const account = await givenAccount(world, [
          entitlementOf(world, 'attendant-console', 10),
          entitlementOf(world, 'ivr', 2),
        ]);
        const installation = await givenInstallation(world, account.accountId, { 'attendant-console': 4, ivr: 1 });

        // Act
        const refused = await refusalOf(
          repo.commitAllocationChange(
            await allocationChangeOf(world, installation, { 'attendant-console': 5, ivr: 3 }),
          ),
        );

        // Assert
        expect(refused.reason).toBe('capacity');
        expect(refused.subject).toBe('ivr');
        expect(await repo.getInstallation(installation.installationId)).toEqual(installation);
        expect((await standingsNow(world, account.accountId)).map((p) => p.free)).toEqual([6, 1]);
      });

      it("bumps the account's termsRev (the others' backing moves) and changes no other installation", async () => {
        // Arrange
        const account = await givenAccount(world);
        const older = await givenInstallation(world, account.accountId, { 'attendant-console': 4 });
        const newer = await givenInstallation(world, account.accountId, { 'attendant-console': 2 });
        const read = await accountNow(world, account.accountId);

        // Act
        await repo.commitAllocationChange(await allocationChangeOf(world, older, { 'attendant-console': 1 }));

        // Assert
        expect(await accountNow(world, account.accountId)).toEqual({ ...read, termsRev: read.termsRev + 1 });
        expect(await installationNow(world, newer.installationId)).toEqual(newer);
      });

      it('gives capacity back when lowered, and drops a product left out of the new allocation', async () => {
        // Arrange
        const account = await givenAccount(world, [
          entitlementOf(world, 'attendant-console', 10),
          entitlementOf(world, 'ivr', 2),
        ]);
        const installation = await givenInstallation(world, account.accountId, { 'attendant-console': 4, ivr: 2 });

        // Act
        await repo.commitAllocationChange(await allocationChangeOf(world, installation, { 'attendant-console': 1 }));

        // Assert
        expect((await installationNow(world, installation.installationId)).allocation).toEqual({
          'attendant-console': 1,
        });
        const state = await repo.getAccountState(account.accountId);
        expect(state?.installations[0]?.allocation).toEqual({ 'attendant-console': 1 });
        expect((await standingsNow(world, account.accountId)).map((p) => [p.product, p.allocated, p.free])).toEqual([
          ['attendant-console', 1, 9],
          ['ivr', 0, 2],
        ]);
      });

      it('refuses a raise beyond the capacity the commit names as capacity, and one computed from entitlements changed since as stale', async () => {
        // Arrange
        const account = await givenAccount(world, [
          entitlementOf(world, 'ivr', 4),
          entitlementOf(world, 'ivr', 4, { kind: 'subscription', endsAt: world.clock.now().toISOString() }),
        ]);
        const installation = await givenInstallation(world, account.accountId, { ivr: 3 });
        const beyond = await allocationChangeOf(world, installation, { ivr: 5 });
        const asRead = await allocationChangeOf(world, installation, { ivr: 4 });

        // Act
        const overCapacity = await refusalOf(repo.commitAllocationChange(beyond));
        await repo.commitOrder(
          existingAccountOrder(world, await accountNow(world, account.accountId), [entitlementOf(world, 'ivr', 1)]),
        );
        const changedSince = await refusalOf(repo.commitAllocationChange(asRead));

        // Assert
        expect(beyond.pools).toEqual([{ product: 'ivr', take: 2, capacity: 4, entitlementsRev: 1 }]);
        expect(overCapacity).toMatchObject({ reason: 'capacity', subject: 'ivr' });
        expect(changedSince.reason).toBe('stale');
        expect(await installationNow(world, installation.installationId)).toEqual(installation);
        expect(await poolNow(world, account.accountId, 'ivr')).toEqual({
          product: 'ivr',
          allocated: 3,
          entitlementsRev: 2,
        });
      });

      it('refuses a change of an installation read before it changed as stale', async () => {
        // Arrange
        const account = await givenAccount(world);
        const read = await givenInstallation(world, account.accountId, { 'attendant-console': 4 });
        await repo.commitAllocationChange(await allocationChangeOf(world, read, { 'attendant-console': 5 }));

        // Act
        const refused = await refusalOf(
          repo.commitAllocationChange(await allocationChangeOf(world, read, { 'attendant-console': 6 })),
        );

        // Assert
        expect(refused.reason).toBe('stale');
        expect((await installationNow(world, read.installationId)).allocation).toEqual({ 'attendant-console': 5 });
        expect(await standingNow(world, account.accountId, 'attendant-console')).toMatchObject({
          allocated: 5,
          free: 5,
        });
      });

      it('refuses a change of a deactivated installation as stale', async () => {
        // Arrange
        const account = await givenAccount(world);
        const installation = await givenInstallation(world, account.accountId, { 'attendant-console': 4 });
        await repo.commitDeactivation(deactivationOf(world, installation));
        const deactivated = await installationNow(world, installation.installationId);

        // Act
        const refused = await refusalOf(
          repo.commitAllocationChange(await allocationChangeOf(world, deactivated, { 'attendant-console': 2 })),
        );

        // Assert
        expect(refused.reason).toBe('stale');
        expect(await standingNow(world, account.accountId, 'attendant-console')).toMatchObject({
          allocated: 0,
          free: 10,
        });
      });

      it('refuses a raise of a product the account holds no pool of as capacity, and giving one back as stale', async () => {
        // Arrange
        const account = await givenAccount(world);
        const installation = await givenInstallation(world, account.accountId, { 'attendant-console': 4 });
        const giveBack = {
          ...(await allocationChangeOf(world, installation, { 'attendant-console': 4 })),
          pools: [{ product: 'ivr' as const, take: -1, capacity: 0, entitlementsRev: 0 }],
        };

        // Act
        const raise = await refusalOf(
          repo.commitAllocationChange(
            await allocationChangeOf(world, installation, { 'attendant-console': 4, ivr: 1 }),
          ),
        );
        const back = await refusalOf(repo.commitAllocationChange(giveBack));

        // Assert
        expect(raise).toMatchObject({ reason: 'capacity', subject: 'ivr' });
        expect(back.reason).toBe('stale');
        expect(await poolNow(world, account.accountId, 'ivr')).toBeUndefined();
      });
    });

    describe('telemetry switch', () => {
      it('switches the account item alone, bumping termsRev; no installation item changes', async () => {
        // Arrange
        const account = await givenAccount(world);
        const a = await givenInstallation(world, account.accountId, { 'attendant-console': 1 });
        const b = await givenInstallation(world, account.accountId, { 'attendant-console': 1 });
        const read = await accountNow(world, account.accountId);

        // Act
        await repo.commitTelemetrySwitch(telemetrySwitchOf(world, read, false));

        // Assert
        expect(await accountNow(world, account.accountId)).toEqual({
          ...read,
          telemetryEnabled: false,
          termsRev: read.termsRev + 1,
        });
        for (const installation of [a, b]) {
          expect(await installationNow(world, installation.installationId)).toEqual(installation);
        }
      });

      it.each([
        ['installSeq', { installSeq: 0 }],
        ['termsRev', { termsRev: 2 }],
      ])('refuses a switch read at another %s as stale', async (_field, readAt) => {
        // Arrange
        const account = await givenAccount(world);
        const installation = await givenInstallation(world, account.accountId, { 'attendant-console': 1 });
        const asRead = { ...(await accountNow(world, account.accountId)), ...readAt };

        // Act
        const refused = await refusalOf(repo.commitTelemetrySwitch(telemetrySwitchOf(world, asRead, false)));

        // Assert
        expect(refused.reason).toBe('stale');
        expect((await accountNow(world, account.accountId)).telemetryEnabled).toBe(true);
        expect(await installationNow(world, installation.installationId)).toEqual(installation);
      });

      it('switches an account of more active installations than one transaction holds (100)', async () => {
        // Arrange
        const account = await givenAccount(world, [entitlementOf(world, 'attendant-console', 120)]);
        const installations: Installation[] = [];
        for (let n = 0; n < 120; n++) {
          installations.push(await givenInstallation(world, account.accountId, { 'attendant-console': 1 }));
        }

        // Act
        await repo.commitTelemetrySwitch(telemetrySwitchOf(world, await accountNow(world, account.accountId), false));

        // Assert
        const terms = await repo.getAccountTerms(account.accountId);
        expect(terms).toMatchObject({ telemetryEnabled: false });
        expect(await installationNow(world, installations.at(-1)!.installationId)).toEqual(installations.at(-1));
        for (const installation of installations) {
          expect((await repo.getInstallationWithTerms(installation.installationId))?.terms).toEqual(terms);
        }
      }, 60_000);
    });

    describe('licence store', () => {
      it('stores a re-signed licence built from the current rev, at the same or a newer version', async () => {
        // Arrange
        const account = await givenAccount(world);
        const installation = await givenInstallation(world, account.accountId, { 'attendant-console': 1 });

        // Act
        const same = await repo.storeLicense(installation.installationId, licenseOf(1, 0), installation.rev);
        const newer = await repo.storeLicense(installation.installationId, licenseOf(2, 0), installation.rev);

        // Assert
        expect([same, newer]).toEqual([true, true]);
        expect((await installationNow(world, installation.installationId)).license).toEqual(licenseOf(2, 0));
      });

      it('stores and reads back when a licence’s terms next change by themselves (validUntil)', async () => {
        // Arrange
        const account = await givenAccount(world);
        const installation = await givenInstallation(world, account.accountId, { 'attendant-console': 1 });
        const license = { ...licenseOf(2, 0), validUntil: '2026-12-31T00:00:00.000Z' };

        // Act
        await repo.storeLicense(installation.installationId, license, installation.rev);

        // Assert
        expect((await installationNow(world, installation.installationId)).license).toEqual(license);
        expect((await repo.getInstallation(installation.installationId, { consistentRead: false }))?.license).toEqual(
          license,
        );
      });

      it('records the account termsRev a licence was built from, and stores none built from older terms over it', async () => {
        // Arrange
        const account = await givenAccount(world);
        const installation = await givenInstallation(world, account.accountId, { 'attendant-console': 1 });
        const newer = { ...licenseOf(2, 0), basedOnAccountRev: 3 };
        await repo.storeLicense(installation.installationId, newer, installation.rev);

        // Act
        const older = await repo.storeLicense(
          installation.installationId,
          { ...licenseOf(2, 0), basedOnAccountRev: 2 },
          installation.rev,
        );
        const same = await repo.storeLicense(
          installation.installationId,
          { ...licenseOf(3, 0), basedOnAccountRev: 3 },
          installation.rev,
        );

        // Assert
        expect([older, same]).toEqual([false, true]);
        expect((await repo.getInstallation(installation.installationId, { consistentRead: false }))?.license).toEqual({
          ...licenseOf(3, 0),
          basedOnAccountRev: 3,
        });
      });

      it('does not store over a changed installation, over a newer version, or for an unknown installation', async () => {
        // Arrange
        const account = await givenAccount(world);
        const installation = await givenInstallation(world, account.accountId, { 'attendant-console': 1 });
        await repo.storeLicense(installation.installationId, licenseOf(3, 0), installation.rev);

        // Act
        const older = await repo.storeLicense(installation.installationId, licenseOf(2, 0), installation.rev);
        const staleRev = await repo.storeLicense(installation.installationId, licenseOf(4, 0), installation.rev + 1);
        const unknown = await repo.storeLicense('inst_never', licenseOf(1, 0), 0);

        // Assert
        expect([older, staleRev, unknown]).toEqual([false, false, false]);
        expect((await installationNow(world, installation.installationId)).license).toEqual(licenseOf(3, 0));
        expect(await repo.getInstallation('inst_never')).toBeNull();
      });
    });

    describe('poll record', () => {
      it('records the first poll, which the last polls then read', async () => {
        // Arrange
        const account = await givenAccount(world);
        const polled = await givenInstallation(world, account.accountId, { 'attendant-console': 1 });
        const silent = await givenInstallation(world, account.accountId, { 'attendant-console': 1 });
        const at = world.clock.now().toISOString();

        // Act
        const written = await repo.recordPoll(
          polled.installationId,
          at,
          new Date(Date.parse(at) - HOUR_MS).toISOString(),
        );

        // Assert
        expect(written).toBe(true);
        expect((await installationNow(world, polled.installationId)).lastPollAt).toBe(at);
        const lastPolls = await repo.getLastPolls([polled.installationId, silent.installationId, 'inst_never']);
        expect([...lastPolls]).toEqual([[polled.installationId, at]]);
      });

      it('reads the last poll with the installation, strongly and eventually consistent, and changes nothing else of it', async () => {
        // Arrange
        const account = await givenAccount(world);
        const before = await givenInstallation(world, account.accountId, { 'attendant-console': 1 });
        const at = world.clock.now().toISOString();

        // Act
        await repo.recordPoll(before.installationId, at, new Date(Date.parse(at) - HOUR_MS).toISOString());

        // Assert
        const strong = await repo.getInstallation(before.installationId);
        const eventual = await repo.getInstallation(before.installationId, { consistentRead: false });
        expect(strong).toEqual({ ...before, lastPollAt: at });
        expect(eventual).toEqual(strong);
      });

      it('keeps the poll record apart from the licensing state: later commits keep it, a later poll revives nothing', async () => {
        // Arrange
        const account = await givenAccount(world);
        const installation = await givenInstallation(world, account.accountId, { 'attendant-console': 2 });
        const at = world.clock.now().toISOString();
        await repo.recordPoll(installation.installationId, at, new Date(Date.parse(at) - HOUR_MS).toISOString());
        await repo.commitAllocationChange(await allocationChangeOf(world, installation, { 'attendant-console': 1 }));
        await repo.commitDeactivation(deactivationOf(world, await installationNow(world, installation.installationId)));
        const deactivated = await installationNow(world, installation.installationId);
        world.clock.advance(HOUR_MS + 1);
        const later = world.clock.now().toISOString();

        // Act: a poll answered from a read made before the deactivation
        const written = await repo.recordPoll(
          installation.installationId,
          later,
          new Date(Date.parse(later) - HOUR_MS).toISOString(),
        );

        // Assert
        expect(deactivated).toMatchObject({ status: 'deactivated', lastPollAt: at });
        expect(written).toBe(true);
        expect(await installationNow(world, installation.installationId)).toEqual({
          ...deactivated,
          lastPollAt: later,
        });
        expect((await poolNow(world, account.accountId, 'attendant-console'))?.allocated).toBe(0);
      });

      it('does not record a poll within the window of the last one or at its edge, and does after it', async () => {
        // Arrange
        const account = await givenAccount(world);
        const installation = await givenInstallation(world, account.accountId, { 'attendant-console': 1 });
        const poll = () => {
          const at = world.clock.now();
          return repo.recordPoll(
            installation.installationId,
            at.toISOString(),
            new Date(at.getTime() - HOUR_MS).toISOString(),
          );
        };
        await poll();

        // Act
        world.clock.advance(HOUR_MS - 1);
        const within = await poll();
        world.clock.advance(1);
        const atTheEdge = await poll(); // the last poll is exactly `olderThan`: not older
        world.clock.advance(1);
        const after = await poll();

        // Assert
        expect([within, atTheEdge, after]).toEqual([false, false, true]);
        const lastPolls = await repo.getLastPolls([installation.installationId]);
        expect(lastPolls.get(installation.installationId)).toBe(world.clock.now().toISOString());
      });

      it('makes no installation of a poll record (polls are recorded only for installations read)', async () => {
        // Act
        await repo.recordPoll('inst_never', '2026-03-02T09:00:00.000Z', '2026-03-02T08:00:00.000Z');

        // Assert
        expect(await repo.getInstallation('inst_never')).toBeNull();
        expect(await repo.getInstallation('inst_never', { consistentRead: false })).toBeNull();
      });

      it('reads the last polls of more installations than one batch read takes (100)', async () => {
        // Arrange
        const account = await givenAccount(world);
        const early = await givenInstallation(world, account.accountId, { 'attendant-console': 1 });
        const late = await givenInstallation(world, account.accountId, { 'attendant-console': 1 });
        const at = world.clock.now().toISOString();
        for (const { installationId } of [early, late]) await repo.recordPoll(installationId, at, at);
        const unknown = Array.from({ length: 150 }, (_, n) => `inst_unknown${String(n).padStart(4, '0')}`);

        // Act
        const lastPolls = await repo.getLastPolls([early.installationId, ...unknown, late.installationId]);

        // Assert
        expect(new Map(lastPolls)).toEqual(
          new Map([
            [early.installationId, at],
            [late.installationId, at],
          ]),
        );
      });
    });

    describe('audit trail', () => {
      it('writes the audit event of every commit, as the audit log reads it; a refused commit writes none', async () => {
        // Arrange
        const account = await givenAccount(world);
        const installation = await givenInstallation(world, account.accountId, { 'attendant-console': 2 });
        world.clock.advance(1000);
        await repo.commitAllocationChange(await allocationChangeOf(world, installation, { 'attendant-console': 3 }));
        await repo.commitTelemetrySwitch(telemetrySwitchOf(world, await accountNow(world, account.accountId), false));
        await repo.commitOrder(
          existingAccountOrder(world, await accountNow(world, account.accountId), [entitlementOf(world, 'ivr', 1)]),
        );
        const changed = await installationNow(world, installation.installationId);
        const deactivation = deactivationOf(world, changed);
        await repo.commitDeactivation(deactivation);

        // Act
        await refusalOf(repo.commitDeactivation(deactivationOf(world, changed)));
        const { events, more } = await world.auditLog.auditEvents(account.accountId, { limit: 100 });

        // Assert
        expect(events.map((e) => e.action).reverse()).toEqual([
          'order.deposited',
          'activation-key.created',
          'installation.activated',
          'installation.allocation-changed',
          'telemetry.disabled',
          'order.deposited',
          'installation.deactivated',
        ]);
        expect(more).toBe(false);
        expect(events[0]).toEqual(deactivation.audit);
      });
    });
  });
}
