/** The agent's copy of the Presence limits and UPN rule stays the cloud's (the agent does not import lambdas/). */
import {
  IDLE_SESSION_SECONDS,
  MAX_SESSION_SECONDS,
  MAX_USERS_PER_FRAME,
  MAX_USERS_PER_INSTALLATION,
  downFrameSchema,
  inBatches,
  normalUpn,
} from '#agent/sdk/presence-frames';
import { PING_INTERVAL_MS } from '#agent/sdk/presence';
import {
  idleSessionSeconds,
  maxSessionSeconds,
  maxUsersPerFrame,
  maxUsersPerInstallation,
  upnSchema,
  type DownFrame,
} from '#lambdas/core/presence/frames';

describe('the agent’s Presence frames and limits', () => {
  it('are the cloud’s limits', () => {
    expect({
      MAX_USERS_PER_INSTALLATION,
      MAX_USERS_PER_FRAME,
      IDLE_SESSION_SECONDS,
      MAX_SESSION_SECONDS,
    }).toEqual({
      MAX_USERS_PER_INSTALLATION: maxUsersPerInstallation,
      MAX_USERS_PER_FRAME: maxUsersPerFrame,
      IDLE_SESSION_SECONDS: idleSessionSeconds,
      MAX_SESSION_SECONDS: maxSessionSeconds,
    });
  });

  it('pings well within the idle limit', () => {
    expect(PING_INTERVAL_MS).toBeLessThanOrEqual((idleSessionSeconds * 1000) / 2);
  });

  it.each([
    'user1@contoso.example',
    '  User2@Contoso.Example ',
    'first.last+tag@sub.contoso.example',
    'a@b',
    'no-domain@contoso',
    'two@@contoso.example',
    'with space@contoso.example',
    '',
    `${'x'.repeat(250)}@contoso.example`,
  ])('takes %j as a UPN exactly when the cloud does, normalised alike', (text) => {
    const cloud = upnSchema.safeParse(text);

    expect(normalUpn(text)).toBe(cloud.success ? cloud.data : undefined);
  });

  it('reads every frame the cloud may send', () => {
    const presence = {
      user: 'user1@contoso.example',
      availability: 'Busy',
      activity: 'InACall',
      at: '2026-12-04T23:10:00Z',
    };
    const frames: DownFrame[] = [
      { op: 'ack', id: 's1', subscribed: 2, unknown: ['x@contoso.example'] },
      { op: 'ack', id: 'u2', subscribed: 1 },
      { op: 'snapshot', presences: [presence] },
      { op: 'presence', updates: [presence] },
      { op: 'resync', presences: [] },
      { op: 'pong' },
      { op: 'error', id: 's3', status: 400, title: 'Bad frame', detail: 'users: too many' },
      { op: 'error', status: 400, title: 'Bad frame', detail: 'not JSON' },
    ];

    expect(frames.map((f) => downFrameSchema.safeParse(f).success)).toEqual(frames.map(() => true));
  });

  it('slices users into frames of at most 1,000', () => {
    const users = Array.from({ length: 2_001 }, (_, i) => `u${i}@contoso.example`);

    expect(inBatches(users).map((b) => b.length)).toEqual([1_000, 1_000, 1]);
  });
});
