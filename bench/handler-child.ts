/**
 * Runs the poll and ingest measurements in a process of their own, so the CPU counted is the
 * handlers' and floors' only (the local cloud's router, pollers and emulators run in the parent).
 * Prints the measures as JSON on stdout's last line.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readAssembly } from '../local/assembly';
import type { CloudInfo } from '../local/cloud';
import { measureHandlers } from './handler-rows';

const { values } = parseArgs({
  options: {
    cloud: { type: 'string' },
    assembly: { type: 'string' },
    'repo-root': { type: 'string' },
    rounds: { type: 'string', default: '16' },
    polls: { type: 'string', default: '250' },
    batches: { type: 'string', default: '25' },
    'rules-installations': { type: 'string', default: '40' },
    'rules-rounds': { type: 'string', default: '8' },
  },
});
const info = JSON.parse(readFileSync(values.cloud!, 'utf8')) as CloudInfo;
const assembly = readAssembly(values.assembly!, { repoRoot: values['repo-root']!, dataDir: info.dataDir });
const original = process.stdout.write.bind(process.stdout);
measureHandlers(info, assembly.functions, {
  rounds: Number(values.rounds),
  pollsPerRound: Number(values.polls),
  batchesPerRound: Number(values.batches),
  rulesInstallations: Number(values['rules-installations']),
  rulesRounds: Number(values['rules-rounds']),
  log: (line) => process.stderr.write(`[handlers] ${line}\n`),
}).then(
  (measures) => {
    original(`\n${JSON.stringify(measures)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`handlers: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(2);
  },
);
