/**
 * One writer region per account: every licensing write served outside the account's home region
 * is refused with 421 naming the home, and changes nothing (no item, no audit event); polls are
 * answered by either region, and outside the home they write nothing to the installation.
 */
import { calculateJwkThumbprint } from 'jose';
import { createOfflineRequest } from '#agent/sdk/offline';
import { generateIdentityKeys } from '#agent/sdk/signing';
import { WrongRegionError } from '#lambdas/core/errors';
import { activateInstallation } from '#lambdas/core/licensing/activate-installation';
import { changeAllocation } from '#lambdas/core/licensing/change-allocation';
import { createActivationKey } from '#lambdas/core/licensing/create-activation-key';
import { deactivateAccountInstallation, deactivateInstallation } from '#lambdas/core/licensing/deactivate-installation';
import { depositOrder } from '#lambdas/core/licensing/deposit-order';
import { assertHomeRegion } from '#lambdas/core/licensing/home-region';
import { offlineActivation, offlineActivationBodySchema } from '#lambdas/core/licensing/offline-activation';
import { pollLicense } from '#lambdas/core/licensing/poll-license';
import { setTelemetry } from '#lambdas/core/licensing/set-telemetry';
import { problemResponse } from '#lambdas/shared/problem';
import {
  acceptSignature,
  activateNew,
  activationBody,
  agentIdentity,
  ENDPOINTS,
  existingAccountOrder,
  inRegion,
  issueKey,
  licenseClaims,
  licensingWorld,
  newAccountOrder,
  perpetualLine,
  principals,
  seedAccount,
  type LicensingWorld,
} from '#test/support/licensing-fixtures';

let home: LicensingWorld;
/** the same store (the global table) served from the US region */
let elsewhere: LicensingWorld;
let accountId: string;

beforeEach(async () => {
  home = await licensingWorld({ region: 'eu' });
  elsewhere = inRegion(home, 'us');
  accountId = await seedAccount(home, newAccountOrder([perpetualLine('ivr', 10), perpetualLine('acd', 4)]));
});

/** Runs `write` in the US region and asserts the 421 naming the EU home, and that the store is as before. */
async function expectRefusedElsewhere(write: () => Promise<unknown>) {
  const before = home.repo.snapshot();
  const commits = home.repo.commits.length;

  const error = await write().then(
    () => undefined,
    (e: unknown) => e,
  );

  expect(error).toBeInstanceOf(WrongRegionError);
  expect(error).toMatchObject({ status: 421, homeRegion: 'eu', homeEndpoint: ENDPOINTS.eu });
  expect(home.repo.snapshot()).toEqual(before);
  expect(home.repo.commits).toHaveLength(commits);
  expect(home.repo.licenseStores).toEqual([]);
}

describe('assertHomeRegion', () => {
  it('passes in the home region and names the home with its endpoint elsewhere', () => {
    expect(() => assertHomeRegion('eu', home.deps.here)).not.toThrow();
    expect(() => assertHomeRegion('eu', elsewhere.deps.here)).toThrow(WrongRegionError);
  });

  it('answers 421 problem+json with homeRegion and homeEndpoint, and region/endpoint as activation first did', () => {
    const answer = problemResponse(new WrongRegionError('eu', ENDPOINTS.eu), '/v1/accounts/acc_00000001/telemetry');

    expect(answer.statusCode).toBe(421);
    expect(answer.headers).toMatchObject({ 'content-type': 'application/problem+json' });
    expect(JSON.parse(String(answer.body))).toMatchObject({
      type: 'https://ucx-cloud.example/problems/wrong-region',
      status: 421,
      homeRegion: 'eu',
      homeEndpoint: ENDPOINTS.eu,
      region: 'eu',
      endpoint: ENDPOINTS.eu,
    });
  });
});

describe('licensing writes outside the home region', () => {
  it('refuses a deposit into an existing account', async () => {
    await expectRefusedElsewhere(() =>
      depositOrder(
        elsewhere.deps,
        principals.backoffice,
        'PO-US-1',
        existingAccountOrder(accountId, [perpetualLine('ivr', 5)]),
      ),
    );
  });

  it('refuses an order creating an account homed in the other region, and serves one homed here', async () => {
    await expectRefusedElsewhere(() =>
      depositOrder(elsewhere.deps, principals.backoffice, 'PO-US-2', newAccountOrder(undefined, { region: 'eu' })),
    );

    const { created, result } = await depositOrder(
      elsewhere.deps,
      principals.backoffice,
      'PO-US-3',
      newAccountOrder(undefined, { region: 'us' }),
    );

    expect(created).toBe(true);
    expect(home.repo.account(result.accountId)?.region).toBe('us');
  });

  it('refuses an activation key', async () => {
    await expectRefusedElsewhere(() =>
      createActivationKey(elsewhere.deps, principals.customer(accountId), accountId, { expiresInDays: 30 }),
    );
  });

  it('refuses an activation, leaving the key unused', async () => {
    const key = await issueKey(home, accountId);
    const agent = await agentIdentity();

    await expectRefusedElsewhere(() =>
      activateInstallation(elsewhere.deps, elsewhere.settings, activationBody(key, agent.publicKey), agent.thumbprint),
    );
  });

  it('refuses an offline activation', async () => {
    const keys = await generateIdentityKeys();
    const file = await createOfflineRequest(keys.privateKey, keys.publicJwk, await issueKey(home, accountId), {
      suiteVersion: '14.2.1',
      nodes: ['ucx-node-a'],
    });
    const body = offlineActivationBodySchema.parse(JSON.parse(JSON.stringify(file)));
    const ports = { thumbprint: calculateJwkThumbprint, jwks: async () => [home.signer.publicJwk] };

    await expectRefusedElsewhere(() =>
      offlineActivation(elsewhere.deps, elsewhere.settings, ports, principals.customer(accountId), accountId, body),
    );
  });

  it('refuses an allocation change', async () => {
    const { installationId } = await activateNew(home, accountId, { allocation: { ivr: 2 } });

    await expectRefusedElsewhere(() =>
      changeAllocation(elsewhere.deps, principals.customer(accountId), accountId, installationId, {
        allocation: { ivr: 3 },
      }),
    );
  });

  it.each([true, false])('refuses the telemetry switch (to %s, whether or not it changes)', async (enabled) => {
    await expectRefusedElsewhere(() =>
      setTelemetry(elsewhere.deps, principals.customer(accountId), accountId, { enabled }),
    );
  });

  it("refuses the agent's deactivation", async () => {
    const { installationId } = await activateNew(home, accountId);

    await expectRefusedElsewhere(() => deactivateInstallation(elsewhere.deps, installationId, acceptSignature));
  });

  it("refuses the portal's deactivation", async () => {
    const { installationId } = await activateNew(home, accountId);

    await expectRefusedElsewhere(() =>
      deactivateAccountInstallation(elsewhere.deps, principals.customer(accountId), accountId, installationId),
    );
  });

  it('answers 403 before 421: a token without access learns nothing of the home region', async () => {
    const attempt = setTelemetry(elsewhere.deps, principals.customer('acc_99999999'), accountId, { enabled: false });

    await expect(attempt).rejects.toMatchObject({ status: 403 });
  });
});

describe('licence polls outside the home region', () => {
  it('answers with the current licence, signed there, and writes only its own last-poll item', async () => {
    const { installationId } = await activateNew(home, accountId);
    await setTelemetry(home.deps, principals.backoffice, accountId, { enabled: false });
    const stored = home.repo.snapshot().installations[installationId];

    const outcome = await pollLicense(elsewhere.deps, elsewhere.settings, installationId, undefined, acceptSignature);

    expect(outcome.status).toBe(200);
    const claims = await licenseClaims(outcome.status === 200 ? outcome.license : '', home.signer);
    expect(claims.telemetry).toMatchObject({ enabled: false });
    expect(home.repo.licenseStores).toEqual([]);
    expect(home.repo.snapshot().installations[installationId]).toEqual(stored);
    expect(home.repo.snapshot().lastPolls).toEqual({ [installationId]: home.clock.now().toISOString() });
  });

  it('stores the rebuilt licence in the home region', async () => {
    const { installationId } = await activateNew(home, accountId);
    await setTelemetry(home.deps, principals.backoffice, accountId, { enabled: false });

    await pollLicense(home.deps, home.settings, installationId, undefined, acceptSignature);

    expect(home.repo.licenseStores).toEqual([expect.objectContaining({ installationId, stored: true })]);
  });
});
