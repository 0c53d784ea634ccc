import { cpuPerRequest, describeCpu, parseMachineStat, parseProcStat, processTree } from '#bench/fleet-cpu';
import {
  consumerState,
  archiveSettled,
  countFleetRows,
  describeArchiver,
  describeCycles,
  describeRules,
  noConsumerWork,
  parseCyclesEnded,
  parseSteadyPosts,
  describeSteady,
  fleetRows,
  localOverhead,
  type ConsumerState,
  type FleetMeasures,
} from '#bench/fleet-row';
import { CALLS_OUT_METRIC } from '#local/lambda-runtime';
import { localApiNamespace, localLambdaNamespace, MetricStore } from '#local/metrics';

const idle: ConsumerState = { ...noConsumerWork, delivered: 100 };

describe('fleet row: waiting for the archive', () => {
  const base = { beatsArchived: 10, beatsAccepted: 20, unchangedCounts: 0, waitedMs: 0, deadlineMs: 900_000 };

  it('ends when every accepted beat is archived', () => {
    expect(archiveSettled({ ...base, beatsArchived: 20, archiver: undefined })).toBe('complete');
  });

  it('keeps waiting while the archiver holds records, however long the count stood still', () => {
    // the last partial batch of a shard waits out a 300 s batching window on real time
    expect(archiveSettled({ ...base, unchangedCounts: 10, archiver: { ...idle, pending: 900 } })).toBeUndefined();
    expect(archiveSettled({ ...base, unchangedCounts: 10, archiver: { ...idle, retrying: 1 } })).toBeUndefined();
    expect(archiveSettled({ ...base, unchangedCounts: 10, archiver: undefined })).toBeUndefined();
  });

  it('stops when the count stood still three times with the archiver idle, or at the deadline', () => {
    expect(archiveSettled({ ...base, unchangedCounts: 2, archiver: idle })).toBeUndefined();
    expect(archiveSettled({ ...base, unchangedCounts: 3, archiver: idle })).toBe('stopped growing');
    expect(archiveSettled({ ...base, waitedMs: 900_000, archiver: { ...idle, pending: 5 } })).toBe('deadline');
  });
});

describe('fleet row: the consumers’ state', () => {
  const shard = { state: 'polling', buffered: 0, delivered: 0, sentToDestination: 0, discarded: 0 };
  it('sums the archiver mappings of both regions and counts the records in its on-failure queue', () => {
    const reports: Parameters<typeof consumerState>[0] = [
      {
        sources: {
          eventSources: [
            {
              function: 'eu/ArchiveTelemetry1A2B',
              destination: { queue: 'archive-dlq' },
              shards: [
                { ...shard, delivered: 40, buffered: 3 },
                { ...shard, state: 'retrying', delivered: 2, sentToDestination: 5 },
              ],
              lastError: { message: 'Task timed out after 60.00 seconds' },
            },
            // the rules consumer reads the same stream: not counted
            {
              function: 'eu/EvaluateRules9F',
              shards: [{ ...shard, delivered: 1000, buffered: 7, failedInvocations: 3, retried: 120 }],
            },
          ],
        },
        queues: { 'archive-dlq': [{ KinesisBatchInfo: { batchSize: 5 } }], 'rules-dlq': [{}] },
      },
      {
        sources: { eventSources: [{ function: 'us/ArchiveTelemetryC3', shards: [{ ...shard, delivered: 8 }] }] },
        queues: {},
      },
    ];
    const state = consumerState(reports, 'ArchiveTelemetry');
    expect(state).toEqual({
      delivered: 50,
      failedInvocations: 0,
      retried: 0,
      pending: 3,
      sentToDestination: 5,
      discarded: 0,
      retrying: 1,
      failureMessages: 1,
      failureRecords: 5,
      lastError: 'Task timed out after 60.00 seconds',
    });
    expect(describeArchiver({ ...state, waitedSeconds: 60, settled: 'deadline' })).toContain(
      '5 records to its on-failure queue (1 messages covering 5: their beats are lost to the archive)',
    );
    expect(describeArchiver({ ...idle, waitedSeconds: 40, settled: 'complete' })).toBe(
      'wait ended (complete) after 40 s: the archiver delivered 100 records, 0 pending, none given up on',
    );
    // and the rules consumer, from the same reports
    const rules = consumerState(reports, 'EvaluateRules');
    expect(rules).toMatchObject({ delivered: 1000, pending: 7, failedInvocations: 3, retried: 120 });
    expect(describeRules(rules)).toBe(
      'the rules consumer: 3 invocations failed in part or whole, 120 records handed to it again, none given up, 7 pending at the end',
    );
  });
});

describe('fleet row: CPU per request', () => {
  it("reads a process's parent and CPU ticks, a command with spaces and parentheses included", () => {
    const stat = '4242 (node (v20) x) S 17 4242 4242 0 -1 4194304 98 0 0 0 250 50 3 1 20 0 1 0 5151576';
    expect(parseProcStat(stat)).toEqual({ pid: 4242, ppid: 17, ticks: 300 });
    expect(parseProcStat('garbage')).toBeUndefined();
  });

  it('reads busy and total ticks of the machine (idle and iowait are not busy)', () => {
    expect(parseMachineStat('cpu  100 5 50 800 40 3 2 0 0 0\ncpu0 1 2 3 4\n')).toEqual({ busy: 160, total: 1000 });
  });

  it("takes the cloud's process tree without the simulator's", () => {
    const procs = [
      { pid: 1, ppid: 0, ticks: 1 },
      { pid: 10, ppid: 1, ticks: 100 }, // the bench, hosting the local cloud
      { pid: 11, ppid: 10, ticks: 20 }, // bash → the DynamoDB Local JVM
      { pid: 12, ppid: 11, ticks: 300 },
      { pid: 13, ppid: 10, ticks: 500 }, // the fleet simulator (npx → node)
      { pid: 14, ppid: 13, ticks: 50 },
    ];
    expect(processTree(procs, 10, 13).map((p) => p.pid)).toEqual([10, 11, 12]);
  });

  it('gives ms per request and cores, and says when the machine was saturated', () => {
    const before = { atMs: 0, cloudMs: 1000, machineBusyMs: 0, machineTotalMs: 0 };
    const after = { atMs: 10_000, cloudMs: 13_000, machineBusyMs: 19_000, machineTotalMs: 20_000 };
    const cpu = cpuPerRequest(before, after, 1500, 4000, 2);
    expect(cpu).toEqual({
      windowSeconds: 10,
      requests: 1500,
      requestsPerSecond: 150,
      cloudCpuMsPerRequest: 8,
      cloudCores: 1.2,
      clientCores: 0.4,
      machineBusyCores: 1.9,
      cores: 2,
    });
    expect(describeCpu(cpu)).toBe(
      'local cloud 8.0 ms CPU per request × 150 requests/s = 1.20 cores of 2, the simulator 0.40; machine busy 1.90 of 2 (saturated)',
    );
    // the cloud fell behind: the same CPU a cycle at the rate offered, simulator included
    expect(describeCpu(cpu, { offeredPerS: 120, servedPerS: 100 })).toBe(
      'local cloud 8.0 ms CPU per request × 150 requests/s = 1.20 cores of 2, the simulator 0.40; machine busy 1.90 of 2 (saturated); every cycle offered would ask 1.92 of 2',
    );
    expect(describeCpu(cpu, { offeredPerS: 120, servedPerS: 120 })).not.toContain('would ask');
  });

  it("reads the simulator's closing line of its cycles", () => {
    expect(parseCyclesEnded('x\ncycles ended after 90.1 s: 4321 requests, client CPU 5400 ms\n')).toEqual({
      requests: 4321,
      clientCpuMs: 5400,
    });
    expect(
      parseCyclesEnded(
        'cycles ended after 120.7 s: 9495 requests, client CPU 54533 ms, cycles offered 116.7/s, served 70.4/s\n',
      ),
    ).toEqual({ requests: 9495, clientCpuMs: 54533, offeredPerS: 116.7, servedPerS: 70.4 });
    expect(parseCyclesEnded('nothing')).toBeUndefined();
  });

  it("reads the simulator's line on the posts after each installation's first and its own event-loop delay", () => {
    const steady = parseSteadyPosts(
      "cycles ended after 60.1 s: 6733 requests\nposts after each installation's first: 4733, p50 48 / p99 380 ms; the simulator's event-loop delay p50 11 / p99 96 ms\n",
    );
    expect(steady).toEqual({ posts: 4733, p50Ms: 48, p99Ms: 380, clientLagP50Ms: 11, clientLagP99Ms: 96 });
    expect(describeSteady(steady!)).toBe(
      "4733 posts after each installation's first p50 48 / p99 380 ms; the simulator's own event-loop delay p50 11 / p99 96 ms, in every latency it measures",
    );
    expect(parseSteadyPosts('cycles ended after 60.1 s: 6733 requests, client CPU 1 ms\n')).toBeUndefined();
  });

  it('says when the cloud served fewer cycles than the fleet asked for', () => {
    expect(describeCycles({ offeredPerS: 116.7, servedPerS: 70.4 })).toBe(
      'cycles offered 116.7/s, served 70.4/s (60 %): the cloud fell behind and requests queued',
    );
    expect(describeCycles({ offeredPerS: 38.9, servedPerS: 38.4 })).toBe('cycles offered 38.9/s, served 38.4/s (99 %)');
  });
});

describe('fleet row: counting the archive', () => {
  const row = (installation: string, beat: string, data: unknown = { cpu: 1 }) =>
    JSON.stringify({
      beat_id: beat,
      type: 'os.cpu',
      installation_id: installation,
      account_id: 'acc_1',
      data: JSON.stringify(data),
    });

  it("counts only the fleet's installations, each beat once by installation and beat id", () => {
    const seen = new Set<string>();
    const fleet = new Set(['inst_a', 'inst_b']);
    const first = [row('inst_a', 'b1'), row('inst_a', 'b2'), row('inst_bench', 'b9'), ''].join('\n');
    // a re-sent beat, and another installation's beat that carries the same agent beat id
    const second = [row('inst_a', 'b1'), row('inst_b', 'b1'), row('inst_bench', 'b1')].join('\n');
    expect(countFleetRows(first, fleet, seen)).toBe(2);
    expect(countFleetRows(second, fleet, seen)).toBe(2);
    expect(seen.size).toBe(3);
  });

  it("reads the row's own fields, not ids inside its data", () => {
    const seen = new Set<string>();
    const text = row('inst_bench', 'b1', { installation_id: 'inst_a', beat_id: 'x' });
    expect(countFleetRows(text, new Set(['inst_a']), seen)).toBe(0);
    expect(seen.size).toBe(0);
  });
});

describe('fleet row: the local cloud’s share of a request', () => {
  it("gives per agent route the router's mean, the function's and, of it, its calls to the emulators", () => {
    const metrics = new MetricStore();
    const post = 'POST /v1/installations/{id}/telemetry';
    for (const [region, router, duration, calls] of [
      ['eu', 52, 50, 30],
      ['us', 32, 30, 10],
    ] as const) {
      metrics.record({ region, namespace: localApiNamespace, name: 'Latency', dimensions: { route: post } }, router);
      const fn = { function: 'IngestTelemetryFunction535F' };
      metrics.record({ region, namespace: localLambdaNamespace, name: 'Duration', dimensions: fn }, duration);
      metrics.record({ region, namespace: localLambdaNamespace, name: CALLS_OUT_METRIC, dimensions: fn }, calls);
    }
    // another function's calls are not the route's
    metrics.record(
      {
        region: 'eu',
        namespace: localLambdaNamespace,
        name: CALLS_OUT_METRIC,
        dimensions: { function: 'EvaluateRules' },
      },
      900,
    );
    expect(localOverhead(metrics)).toEqual([
      { route: post, requests: 2, routerMs: 42, handlerMs: 40, overheadMs: 2, callsMs: 20 },
    ]);
  });
});

describe('fleet row: the p99 row', () => {
  it("says each route's time: the router's, the function's, its calls to the emulators, the router's own", () => {
    const measures: FleetMeasures = {
      ran: true,
      installations: 1000,
      durationSeconds: 300,
      errors: 0,
      pollP99Ms: 323,
      pollP50Ms: 69,
      pollRequests: 1000,
      postP99Ms: 406,
      postP50Ms: 86,
      postRequests: 34522,
      beatsAccepted: 10,
      beatsArchived: 10,
      archiveRows: 10,
      overhead: [
        {
          route: 'POST /v1/installations/{id}/telemetry',
          requests: 9,
          routerMs: 62,
          handlerMs: 61.8,
          overheadMs: 0.2,
          callsMs: 45.5,
        },
      ],
      routes: [],
      exitCode: 0,
    };
    const p99 = fleetRows(measures).find((r) => r.name.endsWith('poll-or-post p99'))!;
    expect(p99.value).toBe(406);
    expect(p99.detail).toContain(
      "POST post: router 62.0 ms, handler 61.8 ms (its calls to the emulators 45.5 ms), the router's own 0.2 ms",
    );
  });
});
