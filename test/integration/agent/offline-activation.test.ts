/**
 * Offline activation with no network between the agent and the cloud (the agent's endpoint is a
 * closed port): request file → back-office API → response file → licence installed. Then the
 * licences an administrator must see refused: tampered, signed by an unknown key, expired past grace.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, SignJWT } from 'jose';
import { UcxAgent } from '#agent/sdk/agent';
import { loadIdentity } from '#agent/sdk/identity';
import { MemorySpool } from '#agent/sdk/spool';
import { FileStateStore } from '#agent/sdk/state';
import {
  api,
  call,
  expectProblem,
  newAccount,
  newActivationKey,
  opsToken,
  perpetual,
} from '#test/support/licensing-api';
import { tokenFor } from '#test/support/local-cloud';
import { cli, stateDir } from './helpers';

jest.setTimeout(120_000);

const NO_NETWORK = 'http://127.0.0.1:9'; // discard port: nothing listens, any attempt fails

async function offlineActivated() {
  const accountId = await newAccount([perpetual('acd', 3, 'platinum')]);
  const dir = stateDir();
  const requestFile = join(dir, 'request.json');
  const responseFile = join(dir, 'response.json');

  const requested = await cli(
    'activate',
    '--offline-request',
    requestFile,
    '--key',
    await newActivationKey(accountId),
    '--endpoint',
    NO_NETWORK,
    '--state-dir',
    dir,
    '--node',
    'air-1',
  );
  const posted = await call('POST', `${api()}/v1/accounts/${accountId}/offline-activations`, {
    token: opsToken(),
    body: JSON.parse(readFileSync(requestFile, 'utf8')),
  });
  writeFileSync(responseFile, posted.text);
  const imported = await cli(
    'activate',
    '--offline-response',
    responseFile,
    '--endpoint',
    NO_NETWORK,
    '--state-dir',
    dir,
  );
  return { accountId, dir, requestFile, requested, posted, imported };
}

describe('offline activation', () => {
  it('round-trips request file → API → response file with no network on the agent side', async () => {
    const { accountId, dir, requested, posted, imported } = await offlineActivated();

    const status = await cli('status', '--state-dir', dir, '--endpoint', NO_NETWORK);

    expect(requested).toMatchObject({ code: 0, out: expect.stringMatching(/^wrote .*request.json/) });
    expect(posted.status).toBe(201);
    expect(posted.json).toMatchObject({
      accountId,
      region: 'eu',
      jwks: { keys: expect.any(Array) },
      telemetry: { enabled: true },
    });
    expect(imported).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^activated offline: installation inst_\w+, licence valid until/),
    });
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/activated: yes \(offline\)/);
    expect(status.out).toMatch(/acd\s+capacity\s+3\s+perpetual, Care platinum until/);
  });

  it('is refused for a key of another account (403) and for an altered request file (401)', async () => {
    const { requestFile } = await offlineActivated();
    const file = JSON.parse(readFileSync(requestFile, 'utf8'));
    const otherAccount = await newAccount();

    const mismatch = await call('POST', `${api()}/v1/accounts/${otherAccount}/offline-activations`, {
      token: opsToken(),
      body: file,
    });
    const altered = await call('POST', `${api()}/v1/accounts/${otherAccount}/offline-activations`, {
      token: opsToken(),
      body: { ...file, request: { ...file.request, installation: { ...file.request.installation, nodes: ['x'] } } },
    });
    const stranger = await call('POST', `${api()}/v1/accounts/${otherAccount}/offline-activations`, {
      token: tokenFor({ groups: ['customer'], accountId: 'acc_somebodyelse0000' }),
      body: file,
    });

    expectProblem(mismatch, 403);
    expectProblem(altered, 401);
    expectProblem(stranger, 403);
  });

  it('refuses a tampered licence file and one signed by an unknown key, with a clear message', async () => {
    const { dir } = await offlineActivated();
    const statePath = join(dir, 'state.json');
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    const [h, p, s] = (state.license as string).split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    payload.products[0].capacity = 3000;

    writeFileSync(
      statePath,
      JSON.stringify({ ...state, license: `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}` }),
    );
    const tampered = await cli('status', '--state-dir', dir, '--endpoint', NO_NETWORK);

    const { privateKey } = await generateKeyPair('ES256');
    const rogue = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'ES256', kid: 'rogue-key', typ: 'ucx-license+jwt' })
      .sign(privateKey);
    writeFileSync(statePath, JSON.stringify({ ...state, license: rogue }));
    const unknown = await cli('status', '--state-dir', dir, '--endpoint', NO_NETWORK);

    expect(tampered.code).toBe(3);
    expect(tampered.out).toMatch(
      /licence: REFUSED \(bad-signature\): The licence signature does not verify: the licence file was altered./,
    );
    expect(unknown.code).toBe(3);
    expect(unknown.out).toMatch(
      /licence: REFUSED \(unknown-key\): The licence is signed by key "rogue-key", which is not one of the \d key\(s\) pinned at activation/,
    );
  });

  it('refuses an expired licence past its grace period, and says how to recover', async () => {
    const { dir } = await offlineActivated();
    const agentAt = (now: Date) =>
      loadIdentity(join(dir, 'identity.key')).then(
        (identity) =>
          new UcxAgent({
            identity,
            state: new FileStateStore(join(dir, 'state.json')),
            spool: new MemorySpool(),
            endpoint: NO_NETWORK,
            now: () => now,
          }),
      );
    const exp = (await (await agentAt(new Date())).currentLicense()).exp * 1000;

    const inGrace = await (await agentAt(new Date(exp - 60_000))).status();
    const pastGrace = await (await agentAt(new Date(exp + 1000))).status();

    expect(inGrace.licence).toMatchObject({ valid: true, graceLeftSeconds: 60 });
    expect(pastGrace.licence).toMatchObject({
      valid: false,
      reason: 'expired',
      message: expect.stringMatching(
        /^The licence expired on .*: the offline grace period is over. Connect the installation/,
      ),
    });
  });
});
