/** The Presence session through an HTTP proxy with basic auth (the npm `proxy` package, in this process). */
import { PresenceSession, type StateChange } from '#agent/sdk/presence';
import { FakeTime, INSTALLATION_ID, PresenceCloud, eventually, startProxy } from './presence-cloud';

let cloud: PresenceCloud;
let proxy: Awaited<ReturnType<typeof startProxy>>;
let time: FakeTime;
const sessions: PresenceSession[] = [];

beforeAll(async () => {
  proxy = await startProxy();
});

beforeEach(async () => {
  time = new FakeTime();
  cloud = await PresenceCloud.start(time.now);
  proxy.crossings.length = 0;
});

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
  await cloud.stop();
});

afterAll(async () => {
  await proxy.stop();
});

function sessionVia(proxyUrl: string) {
  const session = new PresenceSession({
    endpoint: cloud.endpoint,
    api: cloud.api,
    installationId: INSTALLATION_ID,
    privateKey: cloud.privateKey,
    proxy: proxyUrl,
    now: time.now,
    random: () => 0.5,
    timers: time,
  });
  sessions.push(session);
  const states: StateChange[] = [];
  const snapshots: unknown[][] = [];
  session.on('state', (change) => states.push(change));
  session.on('snapshot', (presences) => snapshots.push(presences));
  return { session, states, snapshots };
}

describe('PresenceSession through an HTTP proxy', () => {
  it('tunnels the signed upgrade with CONNECT and the proxy credentials, and the HTTP snapshot too', async () => {
    const { session, snapshots } = sessionVia(proxy.url());

    session.subscribe(['user7@contoso.example']);
    session.connect();
    await eventually(() => snapshots.length === 1);
    const overHttp = await session.snapshot(['user8@contoso.example']);

    expect(snapshots[0]).toEqual([expect.objectContaining({ user: 'user7@contoso.example' })]);
    expect(overHttp).toEqual([expect.objectContaining({ user: 'user8@contoso.example' })]);
    expect(proxy.crossings).toContainEqual({ method: 'CONNECT', target: cloud.origin, authorized: true });
    expect(proxy.crossings.filter((c) => !c.authorized)).toEqual([]);
    expect(cloud.upgrades).toEqual([expect.objectContaining({ verified: true, keyid: INSTALLATION_ID })]);
    expect(cloud.snapshotRequests).toEqual([{ users: ['user8@contoso.example'], verified: true }]);
  });

  it('keeps trying, and says so, while the proxy refuses the credentials', async () => {
    const { session, states } = sessionVia(proxy.url('wrong'));

    session.connect();
    await eventually(() => states.some((s) => s.retryInMs !== undefined));

    expect(states.at(-1)).toMatchObject({ state: 'connecting', retryInMs: 500 });
    expect(states.at(-1)?.reason).toMatch(/^the session could not be opened: .*407/);
    expect(proxy.crossings).toContainEqual({ method: 'CONNECT', target: cloud.origin, authorized: false });
    expect(cloud.upgrades).toEqual([]);
  });
});
