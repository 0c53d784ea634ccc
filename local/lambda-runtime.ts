/**
 * Runs the functions of the assembly: one worker thread per function and region, started on its
 * first invocation (a cold start), replaced after a timeout or a crash.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import type { LocalFunction } from './assembly';
import { localLambdaNamespace, parseEmfLine, type MetricStore } from './metrics';

export interface InvokeError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly stack?: string[];
}

export type InvokeOutcome = { readonly result: unknown } | { readonly error: InvokeError };

interface Pending {
  resolve(outcome: InvokeOutcome): void;
  timer: NodeJS.Timeout;
  worker: Worker;
}

/**
 * A local-only metric of each function (`local/lambda`): the milliseconds its calls out (to
 * DynamoDB Local, kinesalite, s3rver and the stand-ins) took, a datapoint per invocation.
 */
export const CALLS_OUT_METRIC = 'CallsOutDuration';

export class LambdaSandbox {
  private worker: Worker | undefined;
  /** workers past a timeout, still finishing other invocations */
  private readonly retired = new Set<Worker>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(
    readonly fn: LocalFunction,
    private env: Record<string, string>,
    private readonly workerFile: string,
    private readonly functionArn: string,
    /** where the function's EMF lines and its invocations, errors and durations are recorded */
    private readonly metrics?: MetricStore,
    /** the local clock's shared offset cell (local/clock.ts); none: the sandbox runs on real time */
    private readonly clock?: SharedArrayBuffer,
  ) {}

  private running = 0;

  private recordLambda(name: string, value: number): void {
    this.metrics?.record(
      { region: this.fn.regionKey, namespace: localLambdaNamespace, name, dimensions: { function: this.fn.logicalId } },
      value,
    );
  }

  invoke(event: unknown): Promise<InvokeOutcome> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    const requestId = randomUUID();
    const timeoutMs = this.fn.timeoutSeconds * 1000;
    const started = Date.now();
    this.running += 1;
    this.recordLambda('ConcurrentExecutions', this.running);
    return new Promise<InvokeOutcome>((resolve) => {
      const timer = setTimeout(() => {
        // Lambda ends the timed-out sandbox. This worker stands for all of the function's sandboxes
        // at once: only this invocation fails (others under load must not fail with it), and the
        // worker retires, ended once the invocations still in it settle; new ones get a fresh one.
        this.settle(id, {
          error: {
            errorType: 'Sandbox.Timedout',
            errorMessage: `Task timed out after ${this.fn.timeoutSeconds.toFixed(2)} seconds`,
          },
        });
        this.retire(worker);
      }, timeoutMs);
      this.pending.set(id, { resolve, timer, worker });
      worker.postMessage({ id, requestId, event });
    }).then((outcome) => {
      this.running -= 1;
      this.recordLambda('Invocations', 1);
      this.recordLambda('Duration', Date.now() - started);
      if ('error' in outcome) this.recordLambda('Errors', 1);
      return outcome;
    });
  }

  async terminate(): Promise<void> {
    const workers = [...(this.worker ? [this.worker] : []), ...this.retired];
    this.worker = undefined;
    this.retired.clear();
    await Promise.all(workers.map((w) => w.terminate()));
  }

  /**
   * A configuration change, as a deployment makes one: the sandbox ends and the next invocation
   * cold-starts with `env` (an invocation still running fails, as a crash would).
   */
  async reconfigure(env: Record<string, string>): Promise<void> {
    this.env = env;
    await this.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerFile, {
      // The SDK's Node.js support notice once per sandbox drowns the log; main.ts says it once.
      env: { ...this.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      workerData: {
        assetDir: this.fn.assetDir,
        handler: this.fn.handler,
        functionName: this.env['AWS_LAMBDA_FUNCTION_NAME'],
        functionArn: this.functionArn,
        memoryMb: this.fn.memoryMb,
        timeoutMs: this.fn.timeoutSeconds * 1000,
        logGroupName: this.env['AWS_LAMBDA_LOG_GROUP_NAME'],
        clock: this.clock,
      },
      // Roughly the function's memory setting, so a leak fails locally too.
      resourceLimits: { maxOldGenerationSizeMb: Math.max(64, this.fn.memoryMb) },
      // Read here: EMF lines go to the metric store (as the Lambda service hands them to
      // CloudWatch), every other line is printed as before.
      stdout: true,
    });
    worker.unref();
    createInterface({ input: worker.stdout, crlfDelay: Infinity }).on('line', (line) => {
      const samples = parseEmfLine(line);
      if (samples) this.metrics?.recordEmf(this.fn.regionKey, samples);
      else process.stdout.write(`${line}\n`);
    });
    worker.on('message', (message: { id: number; result?: string; error?: InvokeError; callsMs?: number }) => {
      // its calls to the emulators since the previous answer (lambda-worker.mjs), per invocation
      if (message.callsMs !== undefined) this.recordLambda(CALLS_OUT_METRIC, message.callsMs);
      this.settle(
        message.id,
        message.error ? { error: message.error } : { result: JSON.parse(message.result ?? 'null') as unknown },
      );
      if (this.worker !== worker && !this.runsIn(worker)) void worker.terminate();
    });
    worker.on('error', (error) => {
      this.failAll({ errorType: 'Runtime.ExitError', errorMessage: error.message }, worker);
      if (this.worker === worker) this.worker = undefined;
    });
    worker.on('exit', () => {
      this.failAll({ errorType: 'Runtime.ExitError', errorMessage: 'the sandbox exited' }, worker);
      if (this.worker === worker) this.worker = undefined;
      this.retired.delete(worker);
    });
    this.worker = worker;
    return worker;
  }

  private settle(id: number, outcome: InvokeOutcome): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(outcome);
  }

  private runsIn(worker: Worker): boolean {
    return [...this.pending.values()].some((p) => p.worker === worker);
  }

  /** No new invocation goes to `worker`; it ends once nothing runs in it. */
  private retire(worker: Worker): void {
    if (this.worker === worker) this.worker = undefined;
    this.retired.add(worker);
    if (!this.runsIn(worker)) void worker.terminate();
  }

  /** Fails what runs in `worker` (every invocation when none is named). */
  private failAll(error: InvokeError, worker?: Worker): void {
    for (const [id, pending] of this.pending) if (!worker || pending.worker === worker) this.settle(id, { error });
  }
}

/** Path of the worker script; located from the repository root so jest (CommonJS) finds it too. */
export const lambdaWorkerFile = (repoRoot: string): string => join(repoRoot, 'local', 'lambda-worker.mjs');
