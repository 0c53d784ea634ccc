// The ingest bundle on the largest post, in a fresh process: its answers and peak resident memory.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [bundle, eventFile, memoryMb] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(bundle).href);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const context = {
  functionName: 'ingest-memory-probe',
  memoryLimitInMB: memoryMb,
  awsRequestId: 'probe',
  getRemainingTimeInMillis: () => 10_000,
};
const statuses = [];
const started = process.cpuUsage();
for (let i = 0; i < 3; i++) statuses.push((await handler(event, context)).statusCode);
const cpu = process.cpuUsage(started);
process.stdout.write(
  `${JSON.stringify({ statuses, maxRssKb: process.resourceUsage().maxRSS, cpuMsPerPost: (cpu.user + cpu.system) / 3000 })}\n`,
);
