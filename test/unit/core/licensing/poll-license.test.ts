import { GoneError, UnauthorizedError } from '#lambdas/core/errors';
import { deactivateInstallation } from '#lambdas/core/licensing/deactivate-installation';
import { depositOrder } from '#lambdas/core/licensing/deposit-order';
import { needsRebuild, pollLicense, recordContact } from '#lambdas/core/licensing/poll-license';
import { contactStampSeconds } from '#lambdas/core/telemetry/cadence';
import type { Ed25519Jwk } from '#lambdas/core/licensing/model';
import {
  acceptSignature,
  activateNew,
  existingAccountOrder,
  licenseClaims,
  licensingWorld,
  newAccountOrder,
  perpetualLine,
  principals,
  seedAccount,
  verifyLicense,
  type LicensingWorld,
} from '#test/support/licensing-fixtures';

let world: LicensingWorld;
let accountId: string;

beforeEach(async () => {
  world = await licensingWorld();
  accountId = await seedAccount(world, newAccountOrder([perpetualLine('ivr', 10), perpetualLine('acd', 2)]));
});

const poll = (installationId: string, ifNoneMatch?: string, verify = acceptSignature) =>
  pollLicense(world.deps, world.settings, installationId, ifNoneMatch, verify);

const deposit = (orderId: string, ...lines: Parameters<typeof perpetualLine>[]) =>
  depositOrder(
    world.deps,
    principals.backoffice,
    orderId,
    existingAccountOrder(
      accountId,
      lines.map((l) => perpetualLine(...l)),
    ),
  );

describe('pollLicense', () => {
  it('serves the stored licence as it is, without signing', async () => {
    const { installationId, license } = await activateNew(world, accountId);
    const stored = world.repo.installation(installationId)!.license;
    const signCalls = world.signer.signCalls;
    world.clock.advanceDays(3);

    const outcome = await poll(installationId);

    expect(outcome).toEqual({ status: 200, license, etag: stored.etag, nextPollSeconds: 3600 });
    expect(world.signer.signCalls).toBe(signCalls);
    expect(world.repo.licenseStores).toEqual([]);
  });

  it.each([
    ['the exact etag', (etag: string) => etag],
    ['a weak etag', (etag: string) => `W/${etag}`],
    ['a list holding it', (etag: string) => `"0-other", ${etag}`],
  ])('answers 304 to If-None-Match with %s', async (_name, header) => {
    const { installationId } = await activateNew(world, accountId);
    const { etag } = world.repo.installation(installationId)!.license;

    const outcome = await poll(installationId, header(etag));

    expect(outcome).toEqual({ status: 304, etag });
  });

  it('answers 200 to an If-None-Match naming an older licence', async () => {
    const { installationId } = await activateNew(world, accountId);
    const before = world.repo.installation(installationId)!.license.etag;
    await deposit('PO-2', ['ivr', 5]);

    const outcome = await poll(installationId, before);

    expect(outcome.status).toBe(200);
    expect(outcome.etag).not.toBe(before);
  });

  it('rebuilds after a deposit bumped the rev: a new ver with the new capacity, stored for the next poll', async () => {
    const { installationId } = await activateNew(world, accountId);
    await deposit('PO-2', ['ivr', 5]);

    const outcome = await poll(installationId);

    if (outcome.status !== 200) throw new Error('expected 200');
    const { claims } = await verifyLicense(outcome.license, world.signer, world.clock.now());
    expect(claims).toMatchObject({ sub: installationId, acc: accountId, ver: 2 });
    expect(claims.products).toEqual([
      { product: 'acd', capacity: 2, kind: 'perpetual', terms: [{ quantity: 2, kind: 'perpetual' }] },
      { product: 'ivr', capacity: 15, kind: 'perpetual', terms: [{ quantity: 15, kind: 'perpetual' }] },
    ]);
    const installation = world.repo.installation(installationId)!;
    expect(installation.license).toMatchObject({ jws: outcome.license, ver: 2, basedOnRev: installation.rev });
  });

  it('serves the next poll after a rebuild without signing again', async () => {
    const { installationId } = await activateNew(world, accountId);
    await deposit('PO-2', ['ivr', 5]);
    const rebuilt = await poll(installationId);
    const signCalls = world.signer.signCalls;

    const next = await poll(installationId);

    expect(next).toEqual(rebuilt);
    expect(world.signer.signCalls).toBe(signCalls);
  });

  it('keeps ver and signature when a rev bump leaves its content unchanged', async () => {
    const { installationId, license } = await activateNew(world, accountId, { allocation: { acd: 1 } });
    await deposit('PO-2', ['ivr', 5]);
    const signCalls = world.signer.signCalls;

    const outcome = await poll(installationId);

    expect(outcome).toMatchObject({ status: 200, license });
    expect(world.signer.signCalls).toBe(signCalls);
    const installation = world.repo.installation(installationId)!;
    expect(installation.license).toMatchObject({ ver: 1, jws: license, basedOnRev: installation.rev });
  });

  it('re-signs unchanged content near expiry with the same ver and a later exp', async () => {
    const { installationId, license } = await activateNew(world, accountId);
    const before = await licenseClaims(license, world.signer);
    const renewAt = world.clock.advanceDays(15);

    const outcome = await poll(installationId);

    if (outcome.status !== 200) throw new Error('expected 200');
    const { claims } = await verifyLicense(outcome.license, world.signer, renewAt);
    expect(outcome.license).not.toBe(license);
    expect(claims.ver).toBe(before.ver);
    expect(claims.exp).toBe(Math.floor(renewAt.getTime() / 1000) + 30 * 86_400);
    expect({ ...claims, iat: 0, exp: 0 }).toEqual({ ...before, iat: 0, exp: 0 });
  });

  it('keeps serving the stored, unexpired licence while the signer fails', async () => {
    const { installationId, license } = await activateNew(world, accountId);
    await deposit('PO-2', ['ivr', 5]);
    world.signer.failure = new Error('KMS unavailable');

    const outcome = await poll(installationId);

    expect(outcome).toMatchObject({ status: 200, license });
    expect(world.signer.signCalls).toBeGreaterThan(1);
    expect(world.repo.installation(installationId)!.license.jws).toBe(license);
  });

  it('fails when the signer fails and the stored licence has expired', async () => {
    const { installationId } = await activateNew(world, accountId);
    world.clock.advanceDays(31);
    world.signer.failure = new Error('KMS unavailable');

    const attempt = poll(installationId);

    await expect(attempt).rejects.toThrow('KMS unavailable');
  });

  it('answers 410 for a deactivated installation', async () => {
    const { installationId } = await activateNew(world, accountId);
    await deactivateInstallation(world.deps, installationId, acceptSignature);

    const attempt = poll(installationId);

    await expect(attempt).rejects.toThrow(GoneError);
  });

  it('answers 401 for an unknown installation through the same check as a bad signature (verify gets no key)', async () => {
    const verify = jest.fn(acceptSignature);

    const attempt = poll('inst_unknown', undefined, verify);

    await expect(attempt).rejects.toThrow(UnauthorizedError);
    expect(verify).toHaveBeenCalledWith(null);
  });

  it("verifies against the installation's public key and propagates a refusal before revealing its state", async () => {
    const { installationId, identity } = await activateNew(world, accountId);
    await deactivateInstallation(world.deps, installationId, acceptSignature);
    const refusal = new UnauthorizedError('bad signature');
    const verify = jest.fn(async (_key: Ed25519Jwk | null) => {
      throw refusal;
    });

    const attempt = poll(installationId, undefined, verify);

    await expect(attempt).rejects.toBe(refusal);
    expect(verify).toHaveBeenCalledWith(identity.publicKey);
  });
});

describe('pollLicense: the last poll', () => {
  const HOUR = 3_600_000;

  it('records the first poll, and none other within the hour (a 304 poll writes nothing)', async () => {
    const { installationId } = await activateNew(world, accountId);
    const first = world.clock.advance(60_000).toISOString();
    const { etag } = (await poll(installationId)) as { etag: string };
    world.clock.advance(HOUR - 120_000);

    const again = await poll(installationId, etag);

    expect(again.status).toBe(304);
    expect(world.repo.installation(installationId)!.lastPollAt).toBe(first);
    expect(world.repo.pollRecords).toEqual([{ installationId, at: first, written: true }]);
  });

  it('records again once the recorded poll is more than an hour old', async () => {
    const { installationId } = await activateNew(world, accountId);
    await poll(installationId);
    const later = world.clock.advance(HOUR + 1).toISOString();

    await poll(installationId);

    expect(world.repo.installation(installationId)!.lastPollAt).toBe(later);
    expect(world.repo.pollRecords.map((r) => r.written)).toEqual([true, true]);
  });

  it('leaves a concurrent poll’s record alone: the write is conditional, not the read', async () => {
    const { installationId } = await activateNew(world, accountId);
    const stale = world.repo.installation(installationId)!;
    await poll(installationId);
    const recorded = world.repo.installation(installationId)!.lastPollAt;
    jest.spyOn(world.repo, 'getInstallation').mockResolvedValueOnce(stale);
    world.clock.advance(1000);

    const outcome = await poll(installationId);

    expect(outcome.status).toBe(200);
    expect(world.repo.pollRecords.map((r) => r.written)).toEqual([true, false]);
    expect(world.repo.installation(installationId)!.lastPollAt).toBe(recorded);
  });

  it('answers the poll when recording it fails, and logs the failure with the installation id', async () => {
    const { installationId, license } = await activateNew(world, accountId);
    const failure = Object.assign(new Error('Rate of requests exceeds the allowed throughput'), {
      name: 'ThrottlingException',
    });
    world.repo.recordPollFailure = failure;

    const outcome = await poll(installationId);

    expect(outcome).toMatchObject({ status: 200, license });
    expect(world.repo.installation(installationId)!.lastPollAt).toBeUndefined();
    expect(world.log.warnings).toEqual([
      { message: expect.stringContaining('not recorded'), details: { installationId, error: failure } },
    ]);
  });

  it('records a telemetry request as contact at most once in contactStampSeconds, a poll still hourly', async () => {
    const { installationId } = await activateNew(world, accountId);
    const contact = () => recordContact(world.deps, world.repo.installation(installationId)!);
    const first = world.clock.now().toISOString();
    await contact();
    world.clock.advance(contactStampSeconds * 1000 - 60_000);
    await contact();
    expect(world.repo.installation(installationId)!.lastPollAt).toBe(first);

    const later = world.clock.advance(60_001).toISOString();
    await contact();
    expect(world.repo.installation(installationId)!.lastPollAt).toBe(later);

    // a poll within the stamp's window but over an hour after it is recorded
    const polled = world.clock.advance(HOUR + 1).toISOString();
    await poll(installationId);
    expect(world.repo.installation(installationId)!.lastPollAt).toBe(polled);
    expect(world.repo.pollRecords.map((r) => r.at)).toEqual([first, later, polled]);
  });

  it('does not record a poll refused as gone', async () => {
    const { installationId } = await activateNew(world, accountId);
    await deactivateInstallation(world.deps, installationId, acceptSignature);

    await expect(poll(installationId)).rejects.toThrow(GoneError);

    expect(world.repo.pollRecords).toEqual([]);
  });

  it('reads the installation eventually consistent', async () => {
    const { installationId } = await activateNew(world, accountId);

    await poll(installationId);

    expect(world.repo.installationReads.filter((r) => r.installationId === installationId).at(-1)).toEqual({
      installationId,
      consistentRead: false,
    });
  });

  it('reads an installation its eventually consistent read missed again, strongly, before refusing it', async () => {
    const { installationId } = await activateNew(world, accountId);
    world.repo.notYetReplicated.add(installationId);

    const outcome = await poll(installationId);

    expect(outcome.status).toBe(200);
    expect(world.repo.installationReads.filter((r) => r.installationId === installationId)).toEqual([
      { installationId, consistentRead: false },
      { installationId, consistentRead: true },
    ]);
  });

  it("reads the account's terms copied beside the installation, one read, and serves the stored licence while neither moved", async () => {
    const { installationId } = await activateNew(world, accountId);
    const signaturesBefore = world.signer.signCalls;
    const termsReadsBefore = world.repo.accountTermsReads.length;

    const outcome = await poll(installationId);

    expect(outcome.status).toBe(200);
    expect(world.repo.installationReads.filter((r) => r.installationId === installationId)).toEqual([
      { installationId, consistentRead: false },
    ]);
    expect(world.repo.accountTermsReads).toHaveLength(termsReadsBefore);
    expect(world.signer.signCalls).toBe(signaturesBefore);
    expect(world.repo.licenseStores).toEqual([]);
  });

  it("reads the account's termsRev eventually consistent where the installation has no copy of it", async () => {
    const { installationId } = await activateNew(world, accountId);
    world.repo.withoutAccountView.add(installationId);

    const outcome = await poll(installationId);

    expect(outcome.status).toBe(200);
    expect(world.repo.accountTermsReads.at(-1)).toEqual({ accountId, consistentRead: false });
  });
});

describe('needsRebuild', () => {
  it('is false for a fresh licence of the current rev and true when the rev moved or half the life is gone', async () => {
    const { installationId } = await activateNew(world, accountId);
    const installation = world.repo.installation(installationId)!;
    const now = Math.floor(world.clock.now().getTime() / 1000);

    const results = [
      needsRebuild(installation, now, 30),
      needsRebuild({ ...installation, rev: installation.rev + 1 }, now, 30),
      needsRebuild(installation, now + 15 * 86_400, 30),
    ];

    expect(results).toEqual([false, true, true]);
  });
});

describe('needsRebuild with the account termsRev', () => {
  it('is true for a licence built from an older termsRev or stored before licences recorded it, false otherwise', async () => {
    const { installationId } = await activateNew(world, accountId);
    const installation = world.repo.installation(installationId)!;
    const rev = installation.license.basedOnAccountRev!;
    const now = Math.floor(world.clock.now().getTime() / 1000);
    const { basedOnAccountRev: _recorded, ...unrecorded } = installation.license;

    const results = [
      needsRebuild(installation, now, 30, rev),
      needsRebuild(installation, now, 30, rev - 1),
      needsRebuild(installation, now, 30, rev + 1),
      needsRebuild({ ...installation, license: unrecorded }, now, 30, rev),
    ];

    expect(results).toEqual([false, false, true, true]);
  });
});
