// The Lambda sandbox of one function in one local region: a worker thread with its own
// process.env that imports the very bundle the CDK app deploys. Plain JS so that it runs the same
// under tsx and under jest (no loader is inherited by the worker).
import { subscribe } from 'node:diagnostics_channel';
import { parentPort, workerData } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { installShiftedDate } from './shifted-date.mjs';

const {
  assetDir,
  handler: handlerSetting,
  functionName,
  functionArn,
  memoryMb,
  timeoutMs,
  logGroupName,
  clock,
} = workerData;

// The local cloud's clock (local/clock.ts), installed before the bundle loads: the handlers, the
// SDK and jose all read the moved time. The deadline stays on real time, as the timeout does.
const RealDate = clock ? installShiftedDate(clock) : Date;

async function loadHandler() {
  const dot = handlerSetting.lastIndexOf('.');
  const modulePath = handlerSetting.slice(0, dot);
  const exportName = handlerSetting.slice(dot + 1);
  const file = ['.mjs', '.js', '.cjs'].map((ext) => join(assetDir, modulePath + ext)).find((f) => existsSync(f));
  if (!file) throw new Error(`Runtime.ImportModuleError: Cannot find module '${modulePath}' in ${assetDir}`);
  const mod = await import(pathToFileURL(file).href);
  const fn = mod[exportName] ?? mod.default?.[exportName];
  if (typeof fn !== 'function')
    throw new Error(`Runtime.HandlerNotFound: ${handlerSetting} is undefined or not exported`);
  return fn;
}

// The time this sandbox's calls out took (to the emulators and stand-ins: DynamoDB Local,
// kinesalite, s3rver, …), each call's own, handed over with the next answer: the local cloud's
// share of a function's duration where its calls do not overlap. Observed through Node's HTTP
// client channel, outside the bundle (no per-invocation context: on Node 20 that costs every
// promise of the sandbox an async hook).
let callsMs = 0;
subscribe('http.client.request.start', ({ request }) => {
  const started = performance.now();
  request.once('close', () => {
    callsMs += performance.now() - started;
  });
});
const takeCallsMs = () => {
  const taken = callsMs;
  callsMs = 0;
  return taken;
};

const handlerPromise = loadHandler();
// An init error is reported on each invocation, as Lambda does; keep it from crashing the thread.
handlerPromise.catch(() => undefined);

function lambdaContext(requestId, deadline) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: requestId,
    logGroupName,
    logStreamName: `local/${functionName}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - RealDate.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

const serializeError = (error) => ({
  errorType: error?.name ?? 'Error',
  errorMessage: error?.message ?? String(error),
  stack: typeof error?.stack === 'string' ? error.stack.split('\n') : [],
});

parentPort.on('message', async ({ id, requestId, event }) => {
  try {
    const handler = await handlerPromise;
    const context = lambdaContext(requestId, RealDate.now() + timeoutMs);
    const result = await (handler.length >= 3
      ? new Promise((resolve, reject) => {
          const maybe = handler(event, context, (error, value) => (error ? reject(error) : resolve(value)));
          if (maybe && typeof maybe.then === 'function') maybe.then(resolve, reject);
        })
      : handler(event, context));
    // Lambda hands the result over as JSON; so does this sandbox (undefined becomes null).
    parentPort.postMessage({
      id,
      result: JSON.stringify(result === undefined ? null : result),
      callsMs: takeCallsMs(),
    });
  } catch (error) {
    parentPort.postMessage({ id, error: serializeError(error), callsMs: takeCallsMs() });
  }
});
