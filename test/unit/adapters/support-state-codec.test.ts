import { createHash } from 'node:crypto';
import {
  BEAT_TYPES_V1,
  decodeState,
  encodeFindings,
  encodeState,
  findingsHashOf,
  STATE_DICTIONARY_V1,
  TornStateRead,
} from '../../../lambdas/adapters/support-state-codec';
import { allRules } from '../../../lambdas/core/rules/catalogue';
import { evaluateInstallation } from '../../../lambdas/core/rules/engine';
import { findingIdOf } from '../../../lambdas/core/rules/lifecycle';
import { beatIdHash, emptyState, type FindingEvent, type InstallationState } from '../../../lambdas/core/rules/state';
import type { Beat } from '../../../lambdas/core/telemetry/catalogue';
import { HOUR, licenceFacts, T0 } from '../../support/rules-harness';
import { validBeatOfEveryType } from '../../support/telemetry-fixtures';

const plainOf = (state: InstallationState) => ({
  installationId: state.installationId,
  accountId: state.accountId,
  version: state.version,
  ...(state.lastBeatAt !== undefined ? { lastBeatAt: state.lastBeatAt } : {}),
});
/** both stored parts, the findings apart, as the support store writes them once they stop changing */
function stored(state: InstallationState) {
  const findings = encodeFindings(state);
  return { state: encodeState(state, findings && { hash: findingsHashOf(findings) }), findings };
}
/** the state back through both placements of its findings, which must agree */
const roundTrip = (state: InstallationState) => {
  const { state: bytes, findings } = stored(state);
  const apart = decodeState(bytes, plainOf(state), findings);
  const inline = decodeState(encodeState(state, { inline: true }), plainOf(state));
  expect(inline).toEqual(apart);
  return apart;
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
    state = evaluateInstallation({ state, rules: allRules, licence: licenceFacts(), beats, now: T0 + round * 60_000 }).state;
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
    history: [{ at: '2026-03-02T09:00:00.000Z', event: 'opened' as const, severity: 'critical' as const, evidence: { ageDays: 99 } }],
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
      { at: '2026-03-02T09:05:00.000Z', event: 'escalated', severity: 'critical', evidence: { inUse: 19, capacity: 10 } },
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
          open: {
            findingId: findingIdOf(installationId, 'patch-age', 'installation', '2026-03-02T09:00:00.000Z'),
            severity: 'info',
            openedAt: '2026-03-02T09:00:00.000Z',
            evidence: { ageDays: 41 },
            history: [{ at: '2026-03-02T09:00:00.000Z', event: 'opened', severity: 'info', evidence: { ageDays: 41 } }],
          },
        },
        'dns-single|installation': { hits: 1, clears: 0 },
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

  it('tells a state from findings it was not written with (a read between the two items of a write)', () => {
    const before = evaluatedState();
    const after = { ...before, trackers: Object.fromEntries(Object.entries(before.trackers).map(([k, t]) => [k, { ...t, hits: t.hits + 1 }])) };
    const withFindings = Object.values(before.trackers).some((t) => t.open);
    const older = stored(before);
    const newer = stored({ ...after, trackers: { ...after.trackers, 'patch-age|installation': openFinding(before.installationId) } });

    const torn = () => decodeState(newer.state, plainOf(after), older.findings);
    const missing = () => decodeState(newer.state, plainOf(after), undefined);

    expect(withFindings).toBe(true);
    expect(torn).toThrow(TornStateRead);
    expect(missing).toThrow(TornStateRead);
    expect(decodeState(newer.state, plainOf(after), newer.findings).trackers['patch-age|installation']).toBeDefined();
  });

  it('keeps format 1 frozen: its dictionary and beat type numbers are the ones items were written with', () => {
    const digest = createHash('sha256').update(STATE_DICTIONARY_V1).update('\n').update(BEAT_TYPES_V1.join(',')).digest('hex');

    // changing either needs a new format byte, with format 1 still decoded
    expect(digest).toBe('4a841dfb9d63a0a4689557d4104f330a27a48e7ae9e351b45fd36f4ea77a55d9');
  });

  it('decodes items written in format 1 (the state of three rounds of every beat type, findings apart)', () => {
    const state = Buffer.from(
    'AcXa8W+aQBQH8H+l8ec3cu+9O+7Yb6LVZl2rbnNKk6YxYrVuOmeZNST73xdiQbA6jmyJv8ODl+Pg88K3MDwRMEhQ4IIGAx6g' +
    'AERAAmRACagAXUANaAC9ZMwiBCIgBpLpMDX8ED+38dfY/TGbLDueP7yLo/WiMTaL8HHZbfaDVYzzQXtsHlb95e27Zl/FoenW' +
    'W4/ufOsHl9pMB414c9Oata+EHwyF1xtczR6C1tOnNfvBz8itf40vO99a4fXtU7Oj50Evjvrt3o2Zfp83uz7dTWP8+GI/0mWf' +
    'lDfDKh2xFAl+Fbo9UgqF95BQSBaGKJ5sO2hU60m52dRx9qYsCGzVlMRUvGdv6T947Eh1OzONt8nfstq9jW1MRhMkldcJulxB' +
    'OKhRe8b10MiyguXiQdaSjadYairih1BqadiV5q2CklVj12jhIQlArUlKQhJIXEFFm8V2OYn4ItXRRT0craLJ2hZJsoAk6YgE' +
    'SZwgCZWqqqTP0WgZjtZhiVWUI5xkOzjKkkn7DXQPu0c9/xr4l+tnVsIcUl7XQohkLfZgqb1HezJVqndKTvZFrAAlPWKpiopC' +
    'OmQUJ/X+FvPBfMyH8zGfg3s8EfnhfOSncMruiS2P/6SNHGaAWDvqWAyIT8WA0kJHs0DJtjyVBuKzWZMtrcnVBLk7vIRlSCQz' +
    'lw07jWuW3ubLc7f2+w8=',
      'base64',
    );
    const findings = Buffer.from(
    'AQPPXRiamxuZmBgZGhkYGhkTnMcw1DE0gnbjiJ7MgOoAd+HAMxrGJibGlpAZDTNdA0NdQxMlHRNz4iciYB1JnJMRSH3GaJRJ' +
    'CCO9xOTcVL2c/OTEHPhUBJUH6SADu6Y6hgY6hqawjioA',
      'base64',
    );
    const plain = { installationId: 'inst_rules0000000001', accountId: 'acc_rules0000000001', version: 3, lastBeatAt: T0 + 120_123 };

    const decoded = decodeState(state, plain, findings);
    const again = encodeState(decoded, { hash: findingsHashOf(findings) });

    expect(again.equals(state)).toBe(true);
    expect(encodeFindings(decoded)!.equals(findings)).toBe(true);
    expect(Object.keys(decoded.trackers).length).toBeGreaterThan(0);
    expect(decoded.newest['ucx.database']).toBe(T0 + 120_123);
  });
});
