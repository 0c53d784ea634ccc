/**
 * `npm run bench`: every figure against its goal, printed as one table and written to
 * bench/results.json. Ratios are measured in the same run against their floors, alternately, so
 * a noisy machine does not change the verdict. Starts what it needs itself (a synth, a local cloud
 * on free ports in a temp data dir) and stops it. Not part of `npm test`.
 *
 *   npm run bench [-- --only poll,ingest,rules,bundles,fleet,presence] [--assembly <cdk.out>]
 *                 [--fleet-installations 1000] [--fleet-duration 300] [--presence-installations 100] [--quick]
 *   npm run bench -- --fleet     the end-to-end row alone (--only fleet)
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { untracedCondition, withoutXraySdk } from '../lib/constructs/house-function';
import { type FunctionSpec, functionSpecs } from '../lib/routes';
import { synthesize } from '../local/assembly';
import { findRepoRoot, startLocalCloud, type LocalCloud } from '../local/cloud';
import { bundleRows, measureBundles } from './bundle-rows';
import { fleetRows, runFleet, type FleetMeasures } from './fleet-row';
import { handlerRows, type HandlerMeasures } from './handler-rows';
import { describeSpeed, referenceMs } from './machine-speed';
import { measurePresence, presenceRows, type PresenceMeasures } from './presence-row';
import { measureRules, rulesRow, rulesStoredRow, type RulesMeasures } from './rules-row';
import { benchTable, judge, type Row, withBenchTable } from './stats';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    fleet: { type: 'boolean', default: false },
    assembly: { type: 'string' },
    'fleet-installations': { type: 'string', default: '1000' },
    'fleet-duration': { type: 'string', default: '300' },
    'presence-installations': { type: 'string', default: '100' },
    'presence-changes': { type: 'string', default: '300' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/results.json' },
  },
});

const repoRoot = findRepoRoot();
const only = new Set(
  // Presence has its own run and file (bench/presence-results.json, `--only presence`): its
  // latencies are not to be measured on a machine the fleet row has just saturated.
  (values.only ?? (values.fleet ? 'fleet' : 'poll,ingest,rules,bundles,fleet')).split(',').map((s) => s.trim()),
);
const quick = values.quick;
const started = Date.now();
const log = (line: string) =>
  process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);

async function main() {
  const workDir = join(repoRoot, '.local/bench');
  mkdirSync(workDir, { recursive: true });
  const needsAssembly = ['poll', 'ingest', 'bundles', 'fleet', 'presence'].some((k) => only.has(k));
  const assemblyDir = resolve(values.assembly ?? join(workDir, 'cdk.out'));
  if (needsAssembly && !values.assembly) {
    log(`synthesizing into ${assemblyDir} (skipped when the inputs are unchanged)`);
    await synthesize({ repoRoot, outDir: assemblyDir, log });
  }

  const referenceMsAtStart = referenceMs();
  log(describeSpeed(referenceMsAtStart, undefined));
  // the table's order, whatever order the rows are measured in
  const rowsOf = {
    handlers: [] as Row[],
    rules: [] as Row[],
    bundles: [] as Row[],
    fleet: [] as Row[],
    presence: [] as Row[],
  };
  const results: Record<string, unknown> = {
    measuredAt: new Date().toISOString(),
    commit: commitOf(repoRoot),
    // The 1-minute load average and the reference workload's time at the start and end: a figure
    // measured beside other work, or on a slower machine, says so.
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model,
      node: process.version,
      loadAtStart: loadavg()[0],
      referenceMsAtStart,
    },
    assemblyDir,
  };

  let cloud: LocalCloud | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'ucx-bench-'));
  try {
    // In-process rows first, before the local cloud starts: its pollers and the archiver's batches
    // (300 s after the ingest row's posts) would otherwise share the machine with the imports.
    if (only.has('rules')) {
      log('measuring the rules engine');
      const rules: RulesMeasures = await measureRules({
        installations: quick ? 20 : 60,
        batches: quick ? 4 : 10,
        warmupBatches: 2,
      });
      results['rules'] = rules;
      rowsOf.rules.push(rulesRow(rules));
    }
    if (only.has('bundles')) {
      log('measuring bundles (size, init vs an SDK-only bundle)');
      try {
        const bundles = await measureBundles({ repoRoot, assemblyDir, workDir, samples: quick ? 3 : 9, log });
        results['bundles'] = bundles.bundles;
        results['composition'] = {
          'get-license': bundles.composition['get-license'],
          'ingest-telemetry': bundles.composition['ingest-telemetry'],
        };
        rowsOf.bundles.push(...bundleRows(bundles.bundles));
      } catch (error) {
        log(`bundles: ${(error as Error).message}`);
        rowsOf.bundles.push({
          name: 'bundles',
          value: null,
          unit: '',
          goal: { op: '<=', value: 300, unit: ' KB' },
          detail: `not run: ${(error as Error).message}`,
        });
      }
    }
    if (['poll', 'ingest', 'fleet', 'presence'].some((k) => only.has(k))) {
      log('starting a local cloud on free ports');
      cloud = await startLocalCloud({
        dataDir,
        fresh: true,
        assemblyDir,
        euPort: 0,
        usPort: 0,
        dynamodbPort: 0,
        kinesisPort: 0,
        s3Port: 0,
        scheduleTimers: false,
        repoRoot,
        // 100 installations × 100 users each: a tenant of 10,000
        graphDirectorySize: 10_000,
      });
    }
    if (cloud && (only.has('poll') || only.has('ingest'))) {
      log('measuring the poll and ingest handlers against their floors');
      const handlers: HandlerMeasures = await inChild(cloud.cloudJson, assemblyDir);
      // the archiver's figures are measured in the same child (it needs the ingest's records)
      const { archive, rulesStored, agent, ...handlerMeasures } = handlers;
      results['agent'] = agent;
      results['handlers'] = handlerMeasures;
      results['archive'] = archive;
      results['rulesStored'] = rulesStored;
      rowsOf.handlers.push(...handlerRows(handlers), rulesStoredRow(rulesStored));
    }
    if (only.has('fleet') && cloud) {
      log(`running the fleet simulator: ${values['fleet-installations']} installations`);
      const fleet: FleetMeasures = await runFleet({
        repoRoot,
        cloud,
        installations: Number(values['fleet-installations']),
        durationSeconds: Number(values['fleet-duration']),
        log,
      });
      results['fleet'] = fleet;
      rowsOf.fleet.push(...fleetRows(fleet));
    }
    if (only.has('presence') && cloud) {
      const installations = Number(values['presence-installations']);
      log(`measuring Presence: ${installations} installations, ${installations * 100} watched users`);
      const presence: PresenceMeasures = await measurePresence({
        cloud,
        installations,
        block: 100,
        changes: quick ? 50 : Number(values['presence-changes']),
        log,
      }).catch((error: Error) => ({
        ran: false,
        reason: error.message,
        installations,
        watchedUsers: installations * 100,
        changes: 0,
        p50Ms: null,
        p99Ms: null,
        maxMs: null,
        lost: 0,
        graphCalls: {},
        graphCallsPerChange: null,
        setupSeconds: 0,
      }));
      results['presence'] = presence;
      rowsOf.presence.push(...presenceRows(presence));
    }
  } finally {
    await cloud?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  const judged = Object.values(rowsOf).flat().map(judge);
  results['rows'] = judged;
  results['durationSeconds'] = Math.round((Date.now() - started) / 1000);
  const machine = results['machine'] as Record<string, number>;
  machine['loadAtEnd'] = loadavg()[0]!;
  machine['referenceMsAtEnd'] = referenceMs();
  const speed = describeSpeed(referenceMsAtStart, machine['referenceMsAtEnd']);
  writeFileSync(resolve(repoRoot, values.out!), `${JSON.stringify(results, null, 2)}\n`);
  // The results file the cost model reads: its table goes into the docs with it.
  if (values.out === 'bench/results.json') {
    const doc = resolve(repoRoot, 'docs/performance-and-cost.md');
    const header = `${results['measuredAt']}, commit ${results['commit']}, ${cpus().length} cores (${cpus()[0]?.model}), Node ${process.version}, ${speed}, ${results['durationSeconds']} s; rows run: ${[...only].join(', ')}`;
    writeFileSync(doc, withBenchTable(readFileSync(doc, 'utf8'), `${header}\n\n${benchTable(judged)}`));
  }
  process.stdout.write(
    `\n${benchTable(judged)}\n\n${speed}\nwritten to ${values.out} in ${results['durationSeconds']} s\n`,
  );
}

/** The commit measured, `+dirty` when the working tree differs from it (then the figures are not that commit's). */
function commitOf(repoRoot: string): string {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).stdout.trim();
  const head = git('rev-parse', 'HEAD') || 'unknown';
  return git('status', '--porcelain', '--untracked-files=no') ? `${head}+dirty` : head;
}

/** The functions the child runs from source (handler-rows.ts, rules-stored.ts). */
const childFunctions = ['getLicense', 'ingestTelemetry', 'archiveTelemetry', 'evaluateRules'] as const;

/**
 * The child loads the handlers with the X-Ray SDK or without, as their bundles are built
 * (house-function.ts): one process cannot do both, so the functions must agree.
 */
function childConditions(): string[] {
  const untraced = childFunctions.map((name) => withoutXraySdk((functionSpecs[name] as FunctionSpec).tracing));
  if (new Set(untraced).size > 1) throw new Error(`${childFunctions.join(', ')}: all traced or all untraced`);
  return untraced[0] ? [`--conditions=${untracedCondition}`] : [];
}

/** The handler rows run in a child process: this one hosts the local cloud, whose CPU must not count. */
async function inChild(cloudJson: string, assemblyDir: string): Promise<HandlerMeasures> {
  // BENCH_CPU_PROF=<dir>: a V8 CPU profile of the handler measurements, for finding the cause of a miss.
  const profile = process.env['BENCH_CPU_PROF'] ? ['--cpu-prof', '--cpu-prof-dir', process.env['BENCH_CPU_PROF']] : [];
  const args = [
    ...profile,
    ...childConditions(),
    '--import',
    'tsx',
    join(repoRoot, 'bench/handler-child.ts'),
    '--cloud',
    cloudJson,
    '--assembly',
    assemblyDir,
    '--repo-root',
    repoRoot,
    '--rounds',
    quick ? '6' : '16',
    '--polls',
    quick ? '100' : '250',
    '--batches',
    quick ? '10' : '25',
    '--rules-installations',
    quick ? '10' : '40',
    '--rules-rounds',
    quick ? '3' : '8',
  ];
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
    for (const line of c.toString().split('\n')) if (line.startsWith('[handlers]')) log(line.slice(11));
  });
  const code = await new Promise<number | null>((done) => child.on('close', done));
  const last = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || !last.startsWith('{'))
    throw new Error(
      `handler measurements failed (exit ${code}): ${stderr
        .split('\n')
        .filter((l) => l.startsWith('handlers:') || /Error/.test(l))
        .slice(0, 5)
        .join(' | ')}`,
    );
  return JSON.parse(last) as HandlerMeasures;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(2);
  },
);
