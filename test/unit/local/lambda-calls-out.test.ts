/**
 * A local function's calls to the emulators are timed from outside its bundle (Node's HTTP client
 * channel in the sandbox): a datapoint per invocation of `CallsOutDuration`, which the fleet row
 * reports beside the function's duration as the local cloud's share of it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRepoRoot } from '#local/repo-root';
import { CALLS_OUT_METRIC, LambdaSandbox, lambdaWorkerFile } from '#local/lambda-runtime';
import { localLambdaNamespace, mergeSeries, MetricStore } from '#local/metrics';

const DELAY_MS = 120;

describe('a local function calling an emulator', () => {
  const assetDir = mkdtempSync(join(tmpdir(), 'ucx-calls-fn-'));
  const metrics = new MetricStore();
  let server: Server;
  let sandbox: LambdaSandbox;

  beforeAll(async () => {
    // an emulator that answers late
    server = createServer((_, res) => setTimeout(() => res.end('{}'), DELAY_MS));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    writeFileSync(
      join(assetDir, 'index.mjs'),
      [
        "import { request } from 'node:http';",
        `const call = () => new Promise((done, fail) => request('http://127.0.0.1:${port}/', (res) => { res.resume(); res.on('end', done); }).on('error', fail).end());`,
        // two calls one after the other, then work of its own without any call open
        'export const handler = async (event) => { for (let i = 0; i < event.calls; i++) await call(); await new Promise((r) => setTimeout(r, 50)); return {}; };',
      ].join('\n'),
    );
    sandbox = new LambdaSandbox(
      {
        regionKey: 'eu',
        stackName: 'test',
        logicalId: 'CallingFunction',
        name: 'test-calling',
        assetDir,
        handler: 'index.handler',
        runtime: 'nodejs22.x',
        timeoutSeconds: 10,
        memoryMb: 128,
        environment: {},
      },
      { AWS_LAMBDA_FUNCTION_NAME: 'test-calling' },
      lambdaWorkerFile(findRepoRoot()),
      'arn:aws:lambda:eu-central-1:000000000000:function:test-calling',
      metrics,
    );
  });

  afterAll(async () => {
    await sandbox.terminate();
    await new Promise((done) => server.close(done));
    rmSync(assetDir, { recursive: true, force: true });
  });

  const points = (name: string) =>
    mergeSeries(metrics.find('eu', localLambdaNamespace, name, { function: 'CallingFunction' }));

  it('records the calls’ time per invocation, within its duration and without its own work', async () => {
    expect(await sandbox.invoke({ calls: 2 })).toEqual({ result: {} });
    expect(await sandbox.invoke({ calls: 0 })).toEqual({ result: {} });

    const calls = points(CALLS_OUT_METRIC);
    const duration = points('Duration');
    expect(calls.reduce((n, p) => n + p.count, 0)).toBe(2); // a datapoint per invocation
    const [withCalls, without] = calls.flatMap((p) => p.reservoir);
    const [itsDuration] = duration.flatMap((p) => p.reservoir);
    expect(withCalls).toBeGreaterThanOrEqual(2 * DELAY_MS - 5);
    // its 50 ms after the calls are its own, not the emulator's
    expect(withCalls).toBeLessThanOrEqual(itsDuration! - 45);
    expect(without).toBe(0);
  });
});
