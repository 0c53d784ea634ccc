import { createHash } from 'node:crypto';
import {
  apartHashOf,
  BEAT_TYPES_V1,
  decodeOpenFindings,
  decodeState,
  decodeStoredState,
  encodeApart,
  encodeOpenFindings,
  encodeState,
  entry,
  patchOf,
  STATE_DICTIONARY_V1,
  STATE_FORMAT,
  STATE_FORMAT_PATCHES,
  TornStateRead,
} from '#lambdas/adapters/support-state-codec';
import { allRules } from '#lambdas/core/rules/catalogue/index';
import { evaluateInstallation } from '#lambdas/core/rules/engine';
import { findingIdOf } from '#lambdas/core/rules/lifecycle';
import { beatIdHash, emptyState, type FindingEvent, type InstallationState } from '#lambdas/core/rules/state';
import type { Beat } from '#lambdas/core/telemetry/catalogue';
import { HOUR, licenceFacts, T0 } from '#test/support/rules-harness';
import { STATE_DICTIONARY_V1_TEXT } from '#test/support/state-dictionary-v1';
import { validBeatOfEveryType } from '#test/support/telemetry-fixtures';

const plainOf = (state: InstallationState) => ({
  installationId: state.installationId,
  accountId: state.accountId,
  version: state.version,
  ...(state.lastBeatAt !== undefined ? { lastBeatAt: state.lastBeatAt } : {}),
});
/** Every entry of a state that can be stored apart. */
function entriesOf(state: InstallationState): Set<string> {
  const ids = new Set<string>();
  for (const type in state.newest) ids.add(entry.watermark(type));
  for (const [ruleId, { series, facts }] of Object.entries(state.memory)) {
    for (const key in series) ids.add(entry.series(ruleId, key));
    for (const key in facts) ids.add(entry.fact(ruleId, key));
  }
  for (const [key, t] of Object.entries(state.trackers)) if (t.open || t.resolved) ids.add(entry.findings(key));
  return ids;
}

/** both blobs, with the entries `ids` (or every other one) apart */
function stored(state: InstallationState, ids: ReadonlySet<string>) {
  const apart = encodeApart(state, ids);
  return {
    state: encodeState(state, apart && { omit: ids, hash: apartHashOf(apart), writtenAt: state.version }),
    apart,
  };
}

/** the state back with nothing apart, everything apart, and every other entry apart: all must agree */
const roundTrip = (state: InstallationState) => {
  const all = [...entriesOf(state)];
  const placements = [new Set<string>(), new Set(all), new Set(all.filter((_, i) => i % 2 === 0))];
  const [none, ...others] = placements.map((ids) => {
    const { state: bytes, apart } = stored(state, ids);
    return decodeState(bytes, plainOf(state), apart);
  });
  for (const other of others) expect(other).toEqual(none);
  return none!;
};

/** Every rule over a few rounds of every beat type: the state a live installation has. */
function evaluatedState(): InstallationState {
  let state: InstallationState | undefined;
  for (let round = 0; round < 6; round++) {
    const at = new Date(T0 + round * 60_000 + 123).toISOString();
    const beats = validBeatOfEveryType().map((beat, i) => ({
      beat: { ...beat, id: `beat-${round}-${i}`, collectedAt: at } as Beat,
      shardId: 'shardId-000000000000',
      sequenceNumber: String(1000 + round * 100 + i),
    }));
    state = evaluateInstallation({
      state,
      rules: allRules,
      licence: licenceFacts(),
      beats,
      now: T0 + round * 60_000,
    }).state;
  }
  return state!;
}

const openFinding = (installationId: string) => ({
  hits: 1,
  clears: 0,
  open: {
    findingId: findingIdOf(installationId, 'patch-age', 'installation', '2026-03-02T09:00:00.000Z'),
    severity: 'critical' as const,
    openedAt: '2026-03-02T09:00:00.000Z',
    evidence: { ageDays: 99 },
    history: [
      {
        at: '2026-03-02T09:00:00.000Z',
        event: 'opened' as const,
        severity: 'critical' as const,
        evidence: { ageDays: 99 },
      },
    ],
  },
});

describe('the stored form of the rules state', () => {
  it('gives back the state the rules left, exactly', () => {
    const state = evaluatedState();

    const back = roundTrip(state);

    expect(back).toEqual(state);
    expect(Object.keys(state.trackers).length).toBeGreaterThan(0);
  });

  it('gives back what the compact forms leave out or rewrite: odd times, foreign ids, floats, deltas, unknown types', () => {
    const installationId = 'inst_codec000000001';
    const history: FindingEvent[] = [
      { at: '2026-03-02T09:00:00Z', event: 'opened', severity: 'warning', evidence: { inUse: 11, capacity: 10 } },
      {
        at: '2026-03-02T09:05:00.000Z',
        event: 'escalated',
        severity: 'critical',
        evidence: { inUse: 19, capacity: 10 },
      },
      { at: '2026-03-02T10:00:00.000Z', event: 'resolved', severity: 'critical', evidence: { reported: false } },
    ];
    const state: InstallationState = {
      ...emptyState(installationId, 'acc_codec000000001'),
      version: 12,
      lastBeatAt: T0 + HOUR,
      newest: { 'ucx.database': T0 + HOUR, 'ucx.acd': T0, 'ucx.future_type': T0 - HOUR } as InstallationState['newest'],
      atNewest: {
        'ucx.database': [beatIdHash('a'), beatIdHash('b'), 0, 0xffffffff],
        'ucx.acd': [],
        'ucx.future_type': [beatIdHash('c')],
      } as InstallationState['atNewest'],
      memory: {
        'some-rule': {
          series: {
            floats: [
              { t: T0, v: 0.1 },
              { t: T0 + 1, v: -2.5 },
            ],
            pages: [
              { t: T0 - 5, v: 8192 * 3 },
              { t: T0, v: 0 },
              { t: T0 + HOUR, v: -8192 * 7 },
            ],
            huge: [{ t: T0, v: 2 ** 52 }],
            single: [{ t: T0, v: 7 }],
          },
          facts: {
            week: { s: [5, 6, 7, -1, -1, 10, 11, 12, 13], v: [1.5, 0, 0, 0, 0, 0, 0, 0, 2] },
            short: [1, 2, 3],
            nested: { deeper: { list: [9, 8, 7, 6, 5, 4, 3, 2, 1] }, objects: [{ a: 1 }] },
            text: 'x',
            nothing: null,
          },
        },
      },
      trackers: {
        'usage-over-licence|ivr|with|bars': {
          hits: 0,
          clears: 2,
          resolved: {
            findingId: 'fnd_fromelsewhere00000001',
            severity: 'critical',
            openedAt: '2026-03-02T09:00:00Z',
            evidence: { inUse: 19, capacity: 10 },
            history,
            resolvedAt: '2026-03-02T10:00:00.001Z',
          },
        },
        'patch-age|installation': {
          hits: 4,
          clears: 0,
          shift: { severity: 'critical', count: 2 },
          open: {
            findingId: findingIdOf(installationId, 'patch-age', 'installation', '2026-03-02T09:00:00.000Z'),
            severity: 'info',
            openedAt: '2026-03-02T09:00:00.000Z',
            evidence: { ageDays: 41 },
            history: [{ at: '2026-03-02T09:00:00.000Z', event: 'opened', severity: 'info', evidence: { ageDays: 41 } }],
          },
        },
        'dns-single|installation': { hits: 1, clears: 0 },
        'db-fulltext|UCX_Main': { hits: 3, clears: 0, shift: { severity: 'info', count: 1 } },
      },
      checkpoints: { 'shardId-000000000000': '49590338271490256608559692538361571095921575989136588898', other: '1' },
    };

    const back = roundTrip(state);

    expect(back).toEqual(state);
  });

  it('stores an installation that has seen nothing yet in a few bytes', () => {
    const state = emptyState('inst_codec000000002', 'acc_codec000000002');

    const bytes = encodeState(state);

    expect(roundTrip(state)).toEqual(state);
    expect(bytes.length).toBeLessThan(8);
  });

  it('refuses a format it does not know', () => {
    const bytes = encodeState(evaluatedState());
    bytes[0] = 99;

    expect(() => decodeState(bytes, plainOf(evaluatedState()))).toThrow(/unknown format 99/);
  });

  it('tells a state from entries apart it was not written with (a read between the two items of a write)', () => {
    const before = evaluatedState();
    const ids = entriesOf(before);
    const after = {
      ...before,
      trackers: { ...before.trackers, 'patch-age|installation': openFinding(before.installationId) },
    };
    const older = stored(before, ids);
    const newer = stored(after, ids);

    const torn = () => decodeState(newer.state, plainOf(after), older.apart);
    const missing = () => decodeState(newer.state, plainOf(after), undefined);

    expect(torn).toThrow(TornStateRead);
    expect(missing).toThrow(TornStateRead);
    expect(decodeState(newer.state, plainOf(after), newer.apart).trackers['patch-age|installation']).toEqual(
      openFinding(before.installationId),
    );
  });

  it('reads entries changed since the blob apart was written from the state blob, and leaves out those deleted', () => {
    // Arrange: everything apart at first; then a fact changes, a series is forgotten, a finding resolves
    const before = evaluatedState();
    const all = entriesOf(before);
    const blob = encodeApart(before, all)!;
    const [ruleId, memory] = Object.entries(before.memory).find(([, m]) => Object.keys(m.facts).length > 1)!;
    const [changedFact, deletedFact] = Object.keys(memory.facts) as [string, string];
    const after: InstallationState = {
      ...before,
      memory: {
        ...before.memory,
        [ruleId]: {
          series: memory.series,
          facts: { ...memory.facts, [changedFact]: { changed: true }, [deletedFact]: undefined },
        },
      },
      trackers: { ...before.trackers, 'patch-age|installation': openFinding(before.installationId) },
    };
    delete (after.memory[ruleId]!.facts as Record<string, unknown>)[deletedFact];
    const unchanged = new Set(
      [...all].filter(
        (id) =>
          id !== entry.fact(ruleId, changedFact) &&
          id !== entry.fact(ruleId, deletedFact) &&
          id !== entry.findings('patch-age|installation'),
      ),
    );

    // Act
    const bytes = encodeState(after, {
      omit: unchanged,
      hash: apartHashOf(blob),
      writtenAt: 1,
      deleted: new Set([entry.fact(ruleId, deletedFact)]),
    });
    const back = decodeStoredState(bytes, plainOf(after), blob);

    // Assert
    expect(back.state).toEqual(after);
    expect(back.apart?.fromApart).toEqual(unchanged);
    expect(back.apart?.stored).toEqual(all);
  });

  it('writes a series and a fact that changed a little since they went apart as patches (format 2), and reads them back', () => {
    // Arrange: a long series and a week-like fact apart; then a point in and the oldest out, one slot refilled
    const points = Array.from({ length: 48 }, (_, i) => ({
      t: T0 - (48 - i) * HOUR,
      v: 9_000_000_017 + i * 7_919_003,
    }));
    const week = {
      s: Array.from({ length: 168 }, (_, i) => 498_000 + i),
      v: Array.from({ length: 168 }, (_, i) => i / 4),
    };
    const state = evaluatedState();
    const before: InstallationState = {
      ...state,
      memory: { ...state.memory, growth: { series: { 'db:main': points }, facts: { week } } },
    };
    const ids = new Set([entry.series('growth', 'db:main'), entry.fact('growth', 'week')]);
    const blob = encodeApart(before, ids)!;
    const nextPoints = [...points.slice(1), { t: T0, v: 9_999_999_999 }];
    const nextWeek = { s: week.s.map((h, i) => (i === 7 ? 499_000 : h)), v: week.v.map((v, i) => (i === 7 ? 2.5 : v)) };
    const after: InstallationState = {
      ...before,
      memory: { ...before.memory, growth: { series: { 'db:main': nextPoints }, facts: { week: nextWeek } } },
    };
    const seriesPatch = patchOf(entry.series('growth', 'db:main'), points, nextPoints)!;
    const factPatch = patchOf(entry.fact('growth', 'week'), week, nextWeek)!;

    // Act
    const bytes = encodeState(after, {
      omit: ids,
      hash: apartHashOf(blob),
      writtenAt: 1,
      patches: new Map([
        [entry.series('growth', 'db:main'), seriesPatch],
        [entry.fact('growth', 'week'), factPatch],
      ]),
    });
    const back = decodeStoredState(bytes, plainOf(after), blob);

    // Assert: the patches are what changed; the state reads back; the values apart are kept as read
    expect(seriesPatch).toEqual({ drop: 1, append: [{ t: T0, v: 9_999_999_999 }] });
    expect(factPatch).toEqual({
      edits: [
        [['s', 7], 499_000],
        [['v', 7], 2.5],
      ],
    });
    expect(bytes[0]).toBe(STATE_FORMAT_PATCHES);
    expect(encodeState(after)[0]).toBe(STATE_FORMAT);
    expect(back.state).toEqual(after);
    expect(back.apart?.base.get(entry.series('growth', 'db:main'))).toEqual(points);
    expect(back.apart?.base.get(entry.fact('growth', 'week'))).toEqual(week);
  });

  it('writes a value whole when a patch would not be much smaller, or cannot say the change', () => {
    const points = Array.from({ length: 8 }, (_, i) => ({ t: T0 + i * HOUR, v: i }));
    const id = entry.series('growth', 'db:main');
    const fact = entry.fact('growth', 'week');

    expect(patchOf(id, points, [{ t: T0 - HOUR, v: 0 }, ...points])).toBeUndefined();
    expect(
      patchOf(
        id,
        points,
        points.map((p, i) => (i === 3 ? { ...p, v: 99 } : p)),
      ),
    ).toBeUndefined();
    expect(
      patchOf(id, points, [...points.slice(6), ...[11, 12, 13, 14].map((h) => ({ t: T0 + h * HOUR, v: h }))]),
    ).toBeUndefined();
    expect(patchOf(fact, { a: [1, 2, 3] }, { a: [4, 5, 6] })).toBeUndefined();
    expect(patchOf(fact, 5, 6)).toBeUndefined();
    expect(patchOf(fact, { a: 1, b: 2 }, { a: 1 })).toBeUndefined();
  });

  it('refuses patches that reach past the value apart or into a prototype', () => {
    const state = evaluatedState();
    const before: InstallationState = {
      ...state,
      memory: { ...state.memory, growth: { series: {}, facts: { week: { s: [1, 2, 3, 4, 5, 6, 7, 8] } } } },
    };
    const ids = new Set([entry.fact('growth', 'week')]);
    const blob = encodeApart(before, ids)!;
    const write = (edits: [(string | number)[], unknown][]) =>
      encodeState(before, {
        omit: ids,
        hash: apartHashOf(blob),
        writtenAt: 1,
        patches: new Map([[entry.fact('growth', 'week'), { edits }]]),
      });

    expect(() => decodeStoredState(write([[['s', 8], 1]]), plainOf(before), blob)).toThrow(/patch path/);
    expect(() => decodeStoredState(write([[['t', 0], 1]]), plainOf(before), blob)).toThrow(/patch path/);
    expect(() => decodeStoredState(write([[['__proto__', 'x'], 1]]), plainOf(before), blob)).toThrow(/invalid layout/);
  });

  it('stores the open findings for support compactly and reads them back, ids it cannot derive included', () => {
    const state = evaluatedState();
    const withOdd: InstallationState = {
      ...state,
      trackers: {
        ...state.trackers,
        'dns-single|with|bars': {
          hits: 1,
          clears: 0,
          open: {
            findingId: 'fnd_fromelsewhere00000002',
            severity: 'info',
            openedAt: '2026-03-02T09:00:00Z',
            evidence: { dnsServers: 1 },
            history: [{ at: '2026-03-02T09:00:00Z', event: 'opened', severity: 'info', evidence: { dnsServers: 1 } }],
          },
        },
      },
    };
    const expected = Object.entries(withOdd.trackers)
      .filter(([, t]) => t.open)
      .map(([key, t]) => ({
        findingId: t.open!.findingId,
        ruleId: key.slice(0, key.indexOf('|')),
        subject: key.slice(key.indexOf('|') + 1),
        severity: t.open!.severity,
        openedAt: t.open!.openedAt,
      }));

    const bytes = encodeOpenFindings(withOdd)!;

    expect(decodeOpenFindings(withOdd.installationId, bytes)).toEqual(expected);
    expect(bytes.length).toBeLessThan(JSON.stringify(expected).length / 3);
    expect(encodeOpenFindings(emptyState('inst_codec000000003', 'acc_codec000000003'))).toBeUndefined();
  });

  it('keeps format 1 frozen: its dictionary and beat type numbers are the ones items were written with', () => {
    const digest = createHash('sha256')
      .update(STATE_DICTIONARY_V1)
      .update('\n')
      .update(BEAT_TYPES_V1.join(','))
      .digest('hex');

    // changing either needs a new format byte, with format 1 still decoded
    expect(digest).toBe('a8ac35ae0735c5d16b937b1aa45a6802a175cc99541597534ade27142b87c5c6');
    // the bundles carry it deflated: the very text of test/support/state-dictionary-v1.ts
    expect(STATE_DICTIONARY_V1.toString('utf8')).toBe(STATE_DICTIONARY_V1_TEXT);
  });

  it('decodes items written in format 1 (the state of three rounds of every beat type, half its entries apart)', () => {
    const state = Buffer.from(
      'AbWb32uCUBTH/5Xo+TY8P643H5XyaQMhWqs9iWmbsGjiSoT978O6SjG122Kv4jlyUfx++H7PaWgKBAkplABLAAhgAVKAU8kL' +
        'gkASyDVbLWT5+e5jpEKZbIPJfLkqy9He9RM7LbzlVDnuwneCuf/Gyc57maXLTfnFOH1Sz146CTxcbUp4PJh7jc3X9WuiBVuM' +
        'JLRIK1fjK/QHhRdde6cJ7mtmoG9GB2So4eXP5zOL/KKiGvYe9htdDfKCTVewWXMyoDxH5bruOi0DKaaxI4kVGqdr+49iG+c0' +
        'qFO2gbsOd3mc9YRtNTvziZ2pYmeQ8tZobZaH23WYrQ0YunrND7IvW0vu7X0GA6AUMlfXAcmURroK2+mj9W4j2mAHiWUnUmgi' +
        'uOjdCRFkyg2nh3ZoP2C3+tM/RnNJL1O8gtB/hxu2WnTF0dg4rrYQMzmn1RZ7ZMEIeChYmdkdZEg1dJuJQUZihsiNlh2ibBXE' +
        '48ILxlrW6PsH',
      'base64',
    );
    const apart = Buffer.from(
      'Aa2b3UrDQBCF38XrIeyZ/Y2XVVKNWAqKtYgXJZSIrVEUrOTpJWnTJG1qVsj9ZneZHfhOZs6U9mlYy0oxWIAl1fqKSZEhRyGB' +
        'CZJgCJbgiLkSWo9x/jWGSayI0mwaZ/OPHK8Pd4lUk/tsIjcunV3k37fRy/iKR/PVItzMbj6XaZT8jFaX0+u4p+To14lsRaTu' +
        'Fmqw8LYHdO5V/MJwR7WKtdnj0btf6n3LAxIOvPsAHcr2WV69O7fXyWD9D30NCxs6E8KpPzR1U0UzlFVOGuWO5XQREGmcFSFY' +
        'UCvtPeW1CuBX5qpz55m2r9BMlh2jUXP57Bz+yqDzu1NC4HhxD/dL5IEPQS/7QI8m6GWT4LtIC1FEup/m5QWkDXQXvOUpeKuQ' +
        'pdJ1QcxjoqJyxJ2cqmiY355a0xQcLJK3ZbB+Txbr/UzFwG7jrUNdEwRBV467Xw==',
      'base64',
    );
    const plain = {
      installationId: 'inst_rules0000000001',
      accountId: 'acc_rules0000000001',
      version: 3,
      lastBeatAt: T0 + 120_123,
    };

    const decoded = decodeState(state, plain, apart);

    expect(roundTrip(decoded)).toEqual(decoded);
    expect(Object.keys(decoded.trackers).sort()).toEqual([
      'cluster-mismatch|installation',
      'patch-age|installation',
      'usage-over-licence|attendant-console',
    ]);
    expect(Object.keys(decoded.memory).length).toBeGreaterThan(10);
    expect(decoded.newest['ucx.database']).toBe(T0 + 120_123);
  });
});
