/** `ucx-agent presence`: the users file, its limits, and the lines it prints (against the in-test Presence cloud). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '#agent/cli/commands';
import { parseUsersFile, presenceLine } from '#agent/cli/presence';
import { INSTALLATION_ID, PresenceCloud } from '../sdk/presence-cloud';

async function run(...args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { out: (l) => (out += `${l}\n`), err: (l) => (err += `${l}\n`), env: {} });
  return { code, out, err };
}

function usersFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ucx-presence-')), 'users.txt');
  writeFileSync(file, text);
  return file;
}

/** A state directory of an installation activated at `cloud` (its key, its id). */
function activatedStateDir(cloud: PresenceCloud): string {
  const dir = mkdtempSync(join(tmpdir(), 'ucx-agent-presence-'));
  writeFileSync(join(dir, 'identity.key'), cloud.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, {
    mode: 0o600,
  });
  writeFileSync(
    join(dir, 'state.json'),
    JSON.stringify({
      installationId: INSTALLATION_ID,
      accountId: 'acc_00000001',
      region: 'eu',
      endpoint: cloud.api,
      jwks: { keys: [] },
    }),
  );
  return dir;
}

describe('the users file', () => {
  it('takes one UPN a line, lower-cased, without blank lines, comments or repeats', () => {
    const text =
      '# attendants\nuser1@contoso.example\n\n  User2@Contoso.Example   # reception\r\nuser1@contoso.example\n';

    expect(parseUsersFile(text)).toEqual(['user1@contoso.example', 'user2@contoso.example']);
  });

  it('names the lines that are not UPNs', () => {
    expect(() => parseUsersFile('user1@contoso.example\nalice\n\nbob at contoso\n', 'users.txt')).toThrow(
      'users.txt: not a user principal name (name@domain) at line 2: "alice", line 4: "bob at contoso"',
    );
  });

  it('refuses more than 10,000 users, and none', () => {
    const many = Array.from({ length: 10_001 }, (_, i) => `user${i}@contoso.example`).join('\n');

    expect(parseUsersFile(many.split('\n').slice(0, 10_000).join('\n'))).toHaveLength(10_000);
    expect(() => parseUsersFile(many, 'users.txt')).toThrow(
      'users.txt lists 10,001 users; an installation watches at most 10,000',
    );
    expect(() => parseUsersFile('# nobody yet\n', 'users.txt')).toThrow('users.txt lists no user');
  });
});

describe('presence lines', () => {
  it('print time (seconds), user, availability and activity, snapshot and resync marked', () => {
    const p = {
      user: 'user3@contoso.example',
      availability: 'Busy',
      activity: 'InACall',
      at: '2026-12-04T23:10:00.000Z',
    };

    expect([presenceLine(p), presenceLine(p, 'snapshot'), presenceLine(p, 'resync')]).toEqual([
      '2026-12-04T23:10:00Z user3@contoso.example Busy InACall',
      '2026-12-04T23:10:00Z user3@contoso.example Busy InACall [snapshot]',
      '2026-12-04T23:10:00Z user3@contoso.example Busy InACall [resync]',
    ]);
  });
});

describe('ucx-agent presence', () => {
  let cloud: PresenceCloud;

  beforeEach(async () => {
    cloud = await PresenceCloud.start();
  });

  afterEach(async () => {
    await cloud.stop();
  });

  it('needs --users, and refuses a file of more than 10,000 users before connecting', async () => {
    const many = usersFile(Array.from({ length: 10_001 }, (_, i) => `user${i}@contoso.example`).join('\n'));

    const without = await run('presence', '--state-dir', activatedStateDir(cloud), '--no-system');
    const tooMany = await run('presence', '--users', many, '--state-dir', activatedStateDir(cloud), '--no-system');

    expect(without).toMatchObject({ code: 2, out: '' });
    expect(without.err).toMatch(/^presence needs --users FILE/);
    expect(tooMany).toMatchObject({
      code: 2,
      out: '',
      err: `error: ${many} lists 10,001 users; an installation watches at most 10,000\n`,
    });
    expect(cloud.upgrades).toEqual([]);
  });

  it('--once prints the snapshot over the session and exits 0; state changes go to stderr', async () => {
    const users = usersFile('user1@contoso.example\n# the night shift\nuser2@contoso.example\nghost@contoso.example\n');
    cloud.setPresence('user2@contoso.example', 'Busy', 'InACall', '2026-12-04T23:10:00Z');

    const result = await run(
      'presence',
      '--users',
      users,
      '--once',
      '--presence-endpoint',
      cloud.endpoint,
      '--state-dir',
      activatedStateDir(cloud),
      '--no-system',
    );

    expect(result.code).toBe(0);
    expect(result.out).toBe(
      [
        '2026-12-04T22:00:00Z user1@contoso.example Available Available [snapshot]',
        '2026-12-04T23:10:00Z user2@contoso.example Busy InACall [snapshot]',
        '',
      ].join('\n'),
    );
    expect(result.err.split('\n')).toEqual([
      `presence: connecting ${cloud.endpoint}`,
      `presence: open ${cloud.endpoint}`,
      'presence: unknown to the tenant: ghost@contoso.example',
      `presence: closed ${cloud.endpoint}: closed by the agent`,
      '',
    ]);
    expect(cloud.upgrades).toEqual([expect.objectContaining({ verified: true })]);
  });

  it('--http reads the snapshot over HTTP at the home API', async () => {
    const users = usersFile('user1@contoso.example\n');

    const result = await run(
      'presence',
      '--users',
      users,
      '--http',
      '--state-dir',
      activatedStateDir(cloud),
      '--no-system',
    );

    expect(result).toMatchObject({
      code: 0,
      out: '2026-12-04T22:00:00Z user1@contoso.example Available Available [snapshot]\n',
    });
    expect(cloud.snapshotRequests).toEqual([{ users: ['user1@contoso.example'], verified: true }]);
    expect(cloud.upgrades).toEqual([]);
  });

  it('exits 1 with the reason when the cloud refuses the session (Presence off)', async () => {
    cloud.refuseAll = { status: 403, body: { title: 'Forbidden', detail: 'Presence is off for this account' } };

    const result = await run(
      'presence',
      '--users',
      usersFile('user1@contoso.example\n'),
      '--presence-endpoint',
      cloud.endpoint,
      '--state-dir',
      activatedStateDir(cloud),
      '--no-system',
    );

    expect(result).toMatchObject({ code: 1, out: '' });
    expect(result.err).toContain(
      `presence: refused ${cloud.endpoint}: the cloud refused the session (403): Presence is off for this account`,
    );
  });

  it('says where the Presence endpoint is configured when none is', async () => {
    const result = await run(
      'presence',
      '--users',
      usersFile('user1@contoso.example\n'),
      '--state-dir',
      activatedStateDir(cloud),
      '--no-system',
    );

    expect(result.code).toBe(1);
    expect(result.err).toMatch(/No Presence endpoint: pass --presence-endpoint/);
  });
});
