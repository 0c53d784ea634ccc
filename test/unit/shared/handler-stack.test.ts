/**
 * The house stack every Lambda runs in: the logger carries the invocation's context, business
 * counts come out exactly as emitCount writes them (the stack neither flushes the per-minute sums
 * early nor warns about an empty buffer on every request), and a metric left in the buffer is
 * written when the invocation ends, even when it throws.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, KinesisStreamEvent } from 'aws-lambda';
import { emitCount, flushCounts } from '#lambdas/shared/business-metrics';
import { scheduledHandler, streamHandler, withHouseStack } from '#lambdas/shared/handler-stack';
import { logger, metrics } from '#lambdas/shared/powertools';

const context = {
  functionName: 'ucx-archive',
  awsRequestId: 'req-0001',
  invokedFunctionArn: 'arn:aws:lambda:eu-central-1:000000000000:function:ucx-archive',
  memoryLimitInMB: '512',
  functionVersion: '$LATEST',
} as unknown as Context;

/** Every line written to stdout and stderr while `act` runs. */
async function linesWritten(act: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    await act().catch(() => undefined);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return lines;
}

const emfRecords = (lines: string[]) => lines.filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l));

describe('the house handler stack', () => {
  const saved = process.env.METRICS_FLUSH_SECONDS;
  afterEach(() => {
    flushCounts();
    if (saved === undefined) delete process.env.METRICS_FLUSH_SECONDS;
    else process.env.METRICS_FLUSH_SECONDS = saved;
  });

  it("gives the handler's logs the invocation's context", async () => {
    const handler = scheduledHandler(async () => logger.info('swept'));

    const lines = await linesWritten(() => handler({}, context));

    const swept = lines
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l))
      .find((l) => l.message === 'swept');
    expect(swept).toMatchObject({ function_name: 'ucx-archive', function_request_id: 'req-0001' });
  });

  it('writes a count emitted at once as its one record, and nothing more', async () => {
    delete process.env.METRICS_FLUSH_SECONDS;
    const handler = withHouseStack(async () => emitCount('beatsArchived', 3));

    const lines = await linesWritten(() => handler({}, context));

    expect(emfRecords(lines)).toEqual([expect.objectContaining({ BeatsArchived: 3 })]);
    expect(lines.filter((l) => l.includes('No application metrics'))).toEqual([]);
  });

  it('leaves counts summed per container-minute pending at the end of an invocation', async () => {
    process.env.METRICS_FLUSH_SECONDS = '60';
    const handler = withHouseStack(async () => emitCount('licencePolls', 1, { status: '304' }));

    const lines = await linesWritten(async () => {
      await handler({}, context);
      await handler({}, context);
    });
    const flushed = emfRecords(await linesWritten(async () => flushCounts()));

    expect(lines).toEqual([]);
    expect(flushed).toEqual([expect.objectContaining({ LicencePolls: 2, status: '304' })]);
  });

  it('writes a metric left in the buffer when the invocation ends, and when it throws', async () => {
    const failure = new Error('S3 down');
    const handler = streamHandler(async () => {
      metrics.addMetric('Leftover', MetricUnit.Count, 1);
      throw failure;
    });

    let thrown: unknown;
    const lines = await linesWritten(() =>
      handler({ Records: [] } as KinesisStreamEvent, context).catch((error: unknown) => {
        thrown = error;
      }),
    );

    expect(thrown).toBe(failure);
    expect(emfRecords(lines)).toEqual([expect.objectContaining({ Leftover: 1 })]);
  });
});
