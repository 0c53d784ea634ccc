/**
 * An account's activation-key list and revocation through the local cloud (DynamoDB Local): the
 * listing written beside the key's hash, marked used by the activation's transaction and revoked
 * by the revocation's, and a revocation racing an activation: exactly one wins, and the list says which.
 */
import { TestAgent } from '#test/support/agent-client';
import { activationBody, api, call, newAccount, opsToken, perpetual } from '#test/support/licensing-api';
import { tokenFor } from '#test/support/local-cloud';

jest.setTimeout(120_000);

let accountId: string;
const customer = () => tokenFor({ groups: ['customer'], accountId });
const keysUrl = () => `${api()}/v1/accounts/${accountId}/activation-keys`;

interface Listed {
  keyId: string;
  hint: string;
  state: string;
  usedBy?: string;
  revokedAt?: string;
  createdByName: string;
}

const listed = async (): Promise<Listed[]> => (await call('GET', keysUrl(), { token: customer() })).json.keys;

beforeAll(async () => {
  accountId = await newAccount([perpetual('ivr', 20)]);
});

describe('the activation-key list', () => {
  it('lists a new key open, then used by the installation it activated, never with the key or its hash', async () => {
    // Arrange
    const created = await call('POST', keysUrl(), { token: opsToken(), body: { allocation: { ivr: 1 } } });
    const agent = await TestAgent.create();

    // Act
    const before = (await listed()).find((k) => k.keyId === created.json.keyId);
    const activated = await agent.request(
      api(),
      'POST',
      '/v1/activations',
      activationBody(agent, created.json.activationKey),
    );
    const after = (await listed()).find((k) => k.keyId === created.json.keyId);
    const raw = await call('GET', keysUrl(), { token: customer() });

    // Assert
    expect(before).toMatchObject({
      state: 'open',
      hint: created.json.activationKey.slice(-4),
      createdByName: 'back office',
    });
    expect(activated.status).toBe(201);
    expect(after).toMatchObject({ state: 'used', usedBy: activated.json.installationId });
    expect(raw.text).not.toContain(created.json.activationKey);
    expect(raw.text).not.toContain('keyHash');
  });

  it('revokes an open key once (audited once, 204 again), and activation with it answers 403 saying it was revoked', async () => {
    // Arrange
    const created = await call('POST', keysUrl(), { token: customer(), body: { allocation: { ivr: 1 } } });
    const revokeUrl = `${keysUrl()}/${created.json.keyId}`;

    // Act
    const first = await call('DELETE', revokeUrl, { token: customer() });
    const again = await call('DELETE', revokeUrl, { token: customer() });
    const agent = await TestAgent.create();
    const refused = await agent.request(
      api(),
      'POST',
      '/v1/activations',
      activationBody(agent, created.json.activationKey),
    );
    const audit = await call('GET', `${api()}/v1/accounts/${accountId}/audit?action=activation-key.revoked`, {
      token: customer(),
    });

    // Assert
    expect([first.status, again.status]).toEqual([204, 204]);
    expect(refused.status).toBe(403);
    expect(refused.json.detail).toMatch(/revoked on \d{4}-\d{2}-\d{2}/);
    expect((await listed()).find((k) => k.keyId === created.json.keyId)).toMatchObject({ state: 'revoked' });
    expect(
      audit.json.events.filter((e: { details: { keyId: string } }) => e.details.keyId === created.json.keyId),
    ).toHaveLength(1);
  });

  it('lets a revocation and an activation race: exactly one wins, and the list agrees with the key', async () => {
    // Arrange
    const created = await call('POST', keysUrl(), { token: customer(), body: { allocation: { ivr: 1 } } });
    const agent = await TestAgent.create();

    // Act
    const [revoked, activated] = await Promise.all([
      call('DELETE', `${keysUrl()}/${created.json.keyId}`, { token: customer() }),
      agent.request(api(), 'POST', '/v1/activations', activationBody(agent, created.json.activationKey)),
    ]);
    const key = (await listed()).find((k) => k.keyId === created.json.keyId)!;

    // Assert
    if (activated.status === 201) {
      expect({ revoked: revoked.status, state: key.state }).toEqual({ revoked: 409, state: 'used' });
    } else {
      expect({ revoked: revoked.status, activated: activated.status, state: key.state }).toEqual({
        revoked: 204,
        activated: 403,
        state: 'revoked',
      });
    }
  });

  it('refuses support a revocation and a customer another account’s list', async () => {
    // Arrange
    const created = await call('POST', keysUrl(), { token: customer(), body: { allocation: { ivr: 1 } } });
    const other = await newAccount([perpetual('ivr', 1)]);

    // Act
    const bySupport = await call('DELETE', `${keysUrl()}/${created.json.keyId}`, {
      token: tokenFor({ groups: ['support'] }),
    });
    const otherList = await call('GET', `${api()}/v1/accounts/${other}/activation-keys`, { token: customer() });
    const badId = await call('DELETE', `${keysUrl()}/not-a-key`, { token: customer() });

    // Assert
    expect([bySupport.status, otherList.status]).toEqual([403, 403]);
    expect({ status: badId.status, path: badId.json.errors?.[0]?.path }).toEqual({
      status: 400,
      path: expect.stringContaining('keyId'),
    });
  });
});
