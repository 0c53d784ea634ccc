/**
 * A local function's timeout fails that invocation only (issue 17, finding 16): one worker serves
 * every concurrent invocation of a function, so when one ran past its timeout the others, in
 * Lambda each in its sandbox, used to fail with it (a restarted cloud under load answered 500s).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRepoRoot } from '#local/repo-root';
import { LambdaSandbox, lambdaWorkerFile } from '#local/lambda-runtime';

describe('a local function past its timeout', () => {
  const assetDir = mkdtempSync(join(tmpdir(), 'ucx-timeout-fn-'));
  let sandbox: LambdaSandbox;

  beforeAll(() => {
    writeFileSync(
      join(assetDir, 'index.mjs'),
      'export const handler = async (event) => { await new Promise((r) => setTimeout(r, event.ms)); return { slept: event.ms }; };\n',
    );
    sandbox = new LambdaSandbox(
      {
        regionKey: 'eu',
        stackName: 'test',
        logicalId: 'SleepFunction',
        name: 'test-sleep',
        assetDir,
        handler: 'index.handler',
        runtime: 'nodejs22.x',
        timeoutSeconds: 2,
        memoryMb: 128,
        environment: {},
      },
      { AWS_LAMBDA_FUNCTION_NAME: 'test-sleep' },
      lambdaWorkerFile(findRepoRoot()),
      'arn:aws:lambda:eu-central-1:000000000000:function:test-sleep',
    );
  });

  afterAll(async () => {
    await sandbox.terminate();
    rmSync(assetDir, { recursive: true, force: true });
  });

  it('fails alone: an invocation running beside it completes, and the next one gets a fresh worker', async () => {
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const slow = sandbox.invoke({ ms: 5000 });
    await wait(1000);
    const beside = sandbox.invoke({ ms: 1500 }); // still running when the slow one times out
    await wait(1300);
    const later = sandbox.invoke({ ms: 300 });

    const [slowOutcome, besideOutcome, laterOutcome] = await Promise.all([slow, beside, later]);

    expect(slowOutcome).toEqual({ error: expect.objectContaining({ errorType: 'Sandbox.Timedout' }) });
    expect(besideOutcome).toEqual({ result: { slept: 1500 } });
    expect(laterOutcome).toEqual({ result: { slept: 300 } });
  });
});
