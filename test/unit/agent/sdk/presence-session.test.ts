/** The Presence session against an in-test cloud that checks the upgrade's signature as the cloud does; time is fake. */
import {
  MAX_REFUSED_ATTEMPTS,
  PresenceSession,
  type PresenceSessionOptions,
  type StateChange,
} from '#agent/sdk/presence';
import { FakeTime, INSTALLATION_ID, PresenceCloud, eventually } from './presence-cloud';

let cloud: PresenceCloud;
let time: FakeTime;
const sessions: PresenceSession[] = [];

beforeEach(async () => {
  time = new FakeTime();
  cloud = await PresenceCloud.start(time.now);
});

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
  await cloud.stop();
});

/** A session on the cloud, recording its events; `random` 0.5 makes each backoff half its ceiling. */
function sessionOn(target: PresenceCloud, options: Partial<PresenceSessionOptions> = {}) {
  const session = new PresenceSession({
    endpoint: target.endpoint,
    api: target.api,
    installationId: INSTALLATION_ID,
    privateKey: target.privateKey,
    proxy: null,
    now: time.now,
    random: () => 0.5,
    timers: time,
    ...options,
  });
  sessions.push(session);
  const events = {
    states: [] as StateChange[],
    snapshots: [] as unknown[][],
    resyncs: [] as { presences: unknown[]; cause: string }[],
    presences: [] as unknown[][],
    acks: [] as unknown[],
    errors: [] as unknown[],
    closes: 0,
  };
  session.on('state', (change) => events.states.push(change));
  session.on('snapshot', (presences) => events.snapshots.push(presences));
  session.on('resync', (presences, cause) => events.resyncs.push({ presences, cause }));
  session.on('presence', (updates) => events.presences.push(updates));
  session.on('ack', (ack) => events.acks.push(ack));
  session.on('error', (frame) => events.errors.push(frame));
  session.on('close', () => {
    events.closes += 1;
  });
  return { session, events };
}

const user = (n: number) => `user${n}@contoso.example`;
const subscribes = () => cloud.frames.filter((f) => f.op === 'subscribe');

describe('PresenceSession', () => {
  it('opens with a signed upgrade, subscribes and emits the ack and the snapshot', async () => {
    const { session, events } = sessionOn(cloud);

    session.subscribe([user(1), 'User2@Contoso.Example', 'nobody@contoso.example']);
    session.connect();
    await eventually(() => events.snapshots.length === 1);

    expect(cloud.upgrades).toEqual([
      { url: `/presence?installation=${INSTALLATION_ID}`, verified: true, keyid: INSTALLATION_ID },
    ]);
    expect(events.states.map((s) => s.state)).toEqual(['connecting', 'open']);
    expect(subscribes()).toEqual([{ op: 'subscribe', id: 's1', users: [user(1), user(2), 'nobody@contoso.example'] }]);
    expect(events.acks).toEqual([{ id: 's1', op: 'subscribe', subscribed: 3, unknown: ['nobody@contoso.example'] }]);
    expect(events.snapshots[0]).toEqual([
      { user: user(1), availability: 'Available', activity: 'Available', at: '2026-12-04T22:00:00Z' },
      { user: user(2), availability: 'Available', activity: 'Available', at: '2026-12-04T22:00:00Z' },
    ]);
    expect(session.state).toBe('open');
  });

  it('emits presence frames as presence events and a resync frame as a resync from the cloud', async () => {
    const { session, events } = sessionOn(cloud);
    session.subscribe([user(3)]);
    session.connect();
    await eventually(() => events.snapshots.length === 1);

    cloud.setPresence(user(3), 'Busy', 'InACall', '2026-12-04T23:10:00Z');
    cloud.broadcast({ op: 'resync', presences: [] });
    await eventually(() => events.resyncs.length === 1);

    expect(events.presences).toEqual([
      [{ user: user(3), availability: 'Busy', activity: 'InACall', at: '2026-12-04T23:10:00Z' }],
    ]);
    expect(events.resyncs).toEqual([{ presences: [], cause: 'cloud' }]);
  });

  it('subscribes and unsubscribes on an open session in frames of at most 1,000 users', async () => {
    const { session, events } = sessionOn(cloud);
    session.connect();
    await eventually(() => session.state === 'open');
    const many = Array.from({ length: 2_500 }, (_, i) => `person${i}@contoso.example`);

    const added = session.subscribe(many);
    const again = session.subscribe(many.slice(0, 10));
    const removed = session.unsubscribe([...many.slice(0, 1_200), 'never@contoso.example']);
    await eventually(() => events.acks.length === 5);

    expect([added, again, removed]).toEqual([2_500, 0, 1_200]);
    expect(cloud.frames.map((f) => [f.op, (f.users as string[]).length])).toEqual([
      ['subscribe', 1_000],
      ['subscribe', 1_000],
      ['subscribe', 500],
      ['unsubscribe', 1_000],
      ['unsubscribe', 200],
    ]);
    expect(session.users).toHaveLength(1_300);
  });

  it('refuses locally more than 10,000 users, and what is not a UPN', () => {
    const { session } = sessionOn(cloud);
    session.subscribe(Array.from({ length: 9_999 }, (_, i) => `person${i}@contoso.example`));

    expect(() => session.subscribe(['a@contoso.example', 'b@contoso.example'])).toThrow(
      'an installation watches at most 10,000 users; 9999 watched and 2 more asked',
    );
    expect(() => session.subscribe(['not a upn'])).toThrow('not a user principal name (name@domain): "not a upn"');
    expect(session.users).toHaveLength(9_999);
  });

  it('reconnects after the backoff when the cloud closes, subscribes everything again and emits a resync', async () => {
    const { session, events } = sessionOn(cloud);
    session.subscribe([user(1), user(2)]);
    session.connect();
    await eventually(() => events.snapshots.length === 1);
    session.subscribe([user(3)]);
    await eventually(() => events.snapshots.length === 2);

    cloud.closeAll(1001, 'going away');
    await eventually(() => session.state === 'connecting');
    const upgradesBefore = cloud.upgrades.length;
    time.advance(499);
    const upgradesAt499 = cloud.upgrades.length;
    time.advance(1);
    await eventually(() => events.resyncs.length === 1);

    expect(events.states.at(-2)).toEqual({
      state: 'connecting',
      endpoint: cloud.endpoint,
      reason: 'the session closed (1001 going away)',
      retryInMs: 500, // full jitter over [0, 1 s), random 0.5
      attempt: 1,
    });
    expect([upgradesBefore, upgradesAt499]).toEqual([1, 1]);
    expect(cloud.upgrades).toHaveLength(2);
    expect(subscribes().at(-1)).toEqual({ op: 'subscribe', id: 's3', users: [user(1), user(2), user(3)] });
    expect(events.resyncs).toEqual([{ presences: expect.arrayContaining([]), cause: 'reconnect' }]);
    expect(events.resyncs[0]?.presences).toHaveLength(3);
    expect(events.snapshots).toHaveLength(2);
    expect(session.state).toBe('open');
  });

  it('backs off exponentially up to 60 s while the upgrade fails, and starts again after a minute open', async () => {
    const { session, events } = sessionOn(cloud);
    cloud.refuseAll = { status: 503, body: { title: 'Service Unavailable' } };
    const waits: number[] = [];

    session.connect();
    for (let attempt = 1; attempt <= 8; attempt++) {
      await eventually(() => events.states.filter((s) => s.retryInMs !== undefined).length === attempt);
      const wait = events.states.at(-1)?.retryInMs ?? 0;
      waits.push(wait);
      if (attempt === 8) cloud.refuseAll = undefined;
      time.advance(wait);
    }
    await eventually(() => session.state === 'open');
    time.advance(60_000);
    cloud.closeAll();
    await eventually(() => session.state === 'connecting');

    expect(waits).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    expect(events.states.at(-1)).toMatchObject({ state: 'connecting', retryInMs: 500, attempt: 1 });
    expect(events.states[1]).toMatchObject({
      reason: 'the cloud refused the session (503): Service Unavailable',
      status: 503,
    });
  });

  it('keeps the session open after an error frame', async () => {
    const { session, events } = sessionOn(cloud);
    session.subscribe([user(4)]);
    session.connect();
    await eventually(() => events.snapshots.length === 1);

    cloud.broadcast({ op: 'error', id: 'x1', status: 400, title: 'Bad frame', detail: 'users: not a list' });
    cloud.setPresence(user(4), 'Away', 'Away', '2026-12-04T23:20:00Z');
    await eventually(() => events.presences.length === 1);

    expect(events.errors).toEqual([
      { op: 'error', id: 'x1', status: 400, title: 'Bad frame', detail: 'users: not a list' },
    ]);
    expect(session.state).toBe('open');
    expect(cloud.upgrades).toHaveLength(1);
  });

  it('does not throw on an error frame nobody listens to', async () => {
    const { session, events } = sessionOn(cloud);
    session.removeAllListeners('error');
    session.connect();
    await eventually(() => session.state === 'open');

    cloud.broadcast({ op: 'error', status: 400, title: 'Bad frame', detail: 'x' });
    cloud.broadcast({ op: 'resync', presences: [] });
    await eventually(() => events.resyncs.length === 1);

    expect(session.state).toBe('open');
  });

  it.each([
    [403, 'Presence is switched off for this account'],
    [410, 'This installation was deactivated'],
  ])('stops with state refused on a %i upgrade, without retrying', async (status, detail) => {
    const { session, events } = sessionOn(cloud);
    cloud.refuseAll = { status, body: { title: 'Refused', detail } };

    session.connect();
    await eventually(() => events.closes === 1);

    expect(events.states.map((s) => s.state)).toEqual(['connecting', 'refused']);
    expect(events.states[1]).toEqual({
      state: 'refused',
      endpoint: cloud.endpoint,
      status,
      reason: `the cloud refused the session (${status}): ${detail}`,
    });
    expect(time.waiting()).toEqual([]);
    expect(cloud.upgrades).toHaveLength(1);
  });

  it('retries a 401 a few times, then stops with state refused', async () => {
    const { session, events } = sessionOn(cloud);
    cloud.refuseAll = { status: 401, body: { detail: 'The signature is too old' } };

    session.connect();
    for (let attempt = 1; attempt < MAX_REFUSED_ATTEMPTS; attempt++) {
      await eventually(() => events.states.filter((s) => s.retryInMs !== undefined).length === attempt);
      time.advance(events.states.at(-1)?.retryInMs ?? 0);
    }
    await eventually(() => events.closes === 1);

    // (undici's fetch may send a 401'd upgrade twice itself: the cloud's count is not the session's)
    expect(events.states.filter((s) => s.status === 401).map((s) => s.state)).toEqual([
      ...Array.from({ length: MAX_REFUSED_ATTEMPTS - 1 }, () => 'connecting'),
      'refused',
    ]);
    expect(time.waiting()).toEqual([]);
    expect(events.states.at(-1)).toMatchObject({
      state: 'refused',
      status: 401,
      reason: `the cloud refused the session (401): The signature is too old (${MAX_REFUSED_ATTEMPTS} times in a row)`,
    });
  });

  it('follows a 421 once to the home it names', async () => {
    const home = await PresenceCloud.start(time.now, cloud.privateKey);
    try {
      const { session, events } = sessionOn(cloud);
      cloud.refuseAll = { status: 421, body: { homeRegion: 'us', homeEndpoint: home.endpoint } };
      session.subscribe([user(5)]);

      session.connect();
      await eventually(() => events.snapshots.length === 1);

      // undici's fetch retries a 421 once on a fresh connection by itself (Fetch standard); then the session moves
      expect(new Set(cloud.upgrades.map((u) => u.refusedWith))).toEqual(new Set([421]));
      expect(home.upgrades).toHaveLength(1);
      expect(session.endpoint).toBe(home.endpoint);
      expect(events.states.map((s) => s.state)).toEqual(['connecting', 'connecting', 'open']);
    } finally {
      await Promise.all(sessions.splice(0).map((s) => s.close()));
      await home.stop();
    }
  });

  it('pings every 4 minutes, and reconnects when a ping goes unanswered', async () => {
    const { session, events } = sessionOn(cloud);
    session.connect();
    await eventually(() => session.state === 'open');
    const pings = () => cloud.frames.filter((f) => f.op === 'ping').length;
    // The cloud answers a subscribe after the pong on the same socket: its snapshot here means the
    // pong is too (advancing the clock before the pong arrived would drop a live session).
    const pongArrived = async (n: number) => {
      const before = events.snapshots.length;
      session.subscribe([user(n)]);
      await eventually(() => events.snapshots.length > before);
    };

    time.advance(240_000);
    await eventually(() => pings() === 1);
    await pongArrived(1);
    time.advance(240_000);
    await eventually(() => pings() === 2);
    await pongArrived(2);
    cloud.answerPings = false;
    time.advance(240_000);
    await eventually(() => pings() === 3);
    time.advance(240_000);

    expect(events.states.at(-1)).toMatchObject({ state: 'connecting', reason: 'no answer to the last ping' });
  });

  it('reads a snapshot over HTTP, signed, 1,000 users a request', async () => {
    const { session } = sessionOn(cloud);
    const users = [user(1), user(2), ...Array.from({ length: 1_200 }, (_, i) => `person${i}@contoso.example`)];

    const presences = await session.snapshot(users);

    expect(presences.map((p) => p.user)).toEqual([user(1), user(2)]);
    expect(cloud.snapshotRequests.map((r) => [r.users.length, r.verified])).toEqual([
      [1_000, true],
      [202, true],
    ]);
    expect(cloud.upgrades).toEqual([]);
  });

  it('closes for good: state closed, a close event, no timer left', async () => {
    const { session, events } = sessionOn(cloud);
    session.connect();
    await eventually(() => session.state === 'open');

    await session.close();
    await eventually(() => cloud.sockets.size === 0);

    expect(events.states.at(-1)).toMatchObject({ state: 'closed' });
    expect(events.closes).toBe(1);
    expect(time.waiting()).toEqual([]);
  });
});
