/**
 * The protocol servers on loopback: AWS's DynamoDB Local (a jar in amplify-dynamodb-simulator,
 * run on the machine's Java), kinesalite and s3rver. Each keeps its data under the data dir.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import kinesalite from 'kinesalite';
import S3rver from 's3rver';

const dynamoDbJar = 'DynamoDBLocal.jar';

export interface Emulator {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** A free loopback port (a tiny race with other processes is accepted). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

const listen = (server: Server, port: number) =>
  new Promise<number>((done, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => done((server.address() as AddressInfo).port));
  });

/**
 * DynamoDB Local under a small bash guard that reads its stdin: when this process ends, by a stop
 * or by a crash or SIGKILL, the pipe closes, `read` returns and the guard kills java. The guard
 * runs in its own process group and ignores SIGINT, so a Ctrl-C stops the cloud first. Java itself
 * runs under `setpriv --pdeathsig KILL` (Linux) so it dies with a guard that is SIGKILLed, and the
 * guard writes java's pid to `<dataDir>/dynamodb-local.pid`: a JVM that still outlived a crash
 * (no setpriv) is reaped at the next start.
 */
export async function startDynamoDbLocal(opts: {
  repoRoot: string;
  dataDir: string;
  port: number;
  log?: (line: string) => void;
}): Promise<Emulator> {
  requireJava();
  const emulator = join(opts.repoRoot, 'node_modules', 'amplify-dynamodb-simulator', 'emulator');
  const dbPath = join(opts.dataDir, 'dynamodb');
  mkdirSync(dbPath, { recursive: true });
  const pidFile = dynamoDbPidFile(opts.dataDir);
  const reaped = await reapDynamoDbLocal(opts.dataDir);
  if (reaped) opts.log?.(`DynamoDB Local left by an earlier run (pid ${reaped}) stopped`);
  const port = opts.port || (await freePort());
  const args = [
    `-Djava.library.path=${join(emulator, 'DynamoDBLocal_lib')}`,
    '-Xmx512m',
    '-jar',
    join(emulator, dynamoDbJar),
    '-sharedDb',
    '-dbPath',
    dbPath,
    '-port',
    String(port),
    '-disableTelemetry',
  ];
  const guard =
    '$UCX_PDEATHSIG java "$@" </dev/null & pid=$!; echo $pid > "$UCX_PID_FILE"; trap \'kill $pid 2>/dev/null; wait $pid; exit 0\' TERM; trap \'\' INT; read -r _; kill $pid 2>/dev/null; wait $pid; exit 0';
  const child: ChildProcess = spawn('bash', ['-c', guard, 'dynamodb-local', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    // Its own process group: a Ctrl-C reaches the cloud, which stops its consumers before it
    // closes the guard's stdin; the JVM answers their last writes meanwhile.
    detached: true,
    env: { ...process.env, UCX_PID_FILE: pidFile, UCX_PDEATHSIG: hasSetpriv() ? 'setpriv --pdeathsig KILL' : '' },
  });
  const output: string[] = [];
  child.stdout?.on('data', (c: Buffer) => output.push(c.toString()));
  child.stderr?.on('data', (c: Buffer) => output.push(c.toString()));
  let exited = false;
  child.on('exit', () => (exited = true));
  // Killing the guard alone would orphan java where setpriv is missing: java goes first.
  const killOnExit = () => {
    const java = readPidFile(pidFile);
    if (java) signal(java, 'SIGKILL');
    child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  const endpoint = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`DynamoDB Local exited at start:\n${output.join('')}`);
    if (await answers(endpoint)) break;
    if (Date.now() > deadline) {
      child.stdin?.end();
      throw new Error(`DynamoDB Local did not answer on ${endpoint} within 30 s:\n${output.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  opts.log?.(`DynamoDB Local on ${endpoint} (${dbPath})`);
  return {
    endpoint,
    stop: async () => {
      process.off('exit', killOnExit);
      if (exited) return;
      const gone = new Promise<void>((done) => child.once('exit', () => done()));
      child.stdin?.end();
      const timer = setTimeout(killOnExit, 5000);
      await gone;
      clearTimeout(timer);
      rmSync(pidFile, { force: true });
    },
  };
}

/** Where the guard writes java's pid. */
export const dynamoDbPidFile = (dataDir: string) => join(dataDir, 'dynamodb-local.pid');

const readPidFile = (file: string): number | undefined => {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
};

const signal = (pid: number, name: NodeJS.Signals): boolean => {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
};

/** A process's command line, or undefined when it is gone. */
function commandLine(pid: number): string | undefined {
  const probe = spawnSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim() : undefined;
}

/**
 * Stops the DynamoDB Local the pid file names when it is still running and is ours: its command
 * line runs the jar on this data dir (a pid reused by another process is left alone). Resolves to
 * the pid it stopped.
 */
export async function reapDynamoDbLocal(dataDir: string): Promise<number | undefined> {
  const pidFile = dynamoDbPidFile(dataDir);
  const pid = readPidFile(pidFile);
  rmSync(pidFile, { force: true });
  const command = pid === undefined ? undefined : commandLine(pid);
  if (!pid || !command?.includes(dynamoDbJar) || !command.includes(join(dataDir, 'dynamodb'))) return undefined;
  signal(pid, 'SIGKILL');
  for (const deadline = Date.now() + 10_000; commandLine(pid) !== undefined && Date.now() < deadline; )
    await new Promise((r) => setTimeout(r, 50));
  return pid;
}

let setprivChecked: boolean | undefined;
function hasSetpriv(): boolean {
  setprivChecked ??= spawnSync('setpriv', ['--pdeathsig', 'KILL', 'true'], { stdio: 'ignore' }).status === 0;
  return setprivChecked;
}

/** Without a java, DynamoDB Local's guard would only wait out the 30 s start: say at once what to install. */
function requireJava(): void {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0)
    throw new Error(
      'DynamoDB Local needs Java 17 or newer on PATH: install a JRE (Debian: apt-get install openjdk-17-jre-headless)',
    );
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        authorization:
          'AWS4-HMAC-SHA256 Credential=local/20200101/eu-central-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: '{}',
    });
    return response.status === 200;
  } catch {
    return false;
  }
}

export async function startKinesalite(opts: {
  dataDir: string;
  port: number;
  log?: (line: string) => void;
}): Promise<Emulator> {
  const path = join(opts.dataDir, 'kinesis');
  mkdirSync(path, { recursive: true });
  const server = kinesalite({ path, createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  const port = await listen(server, opts.port);
  const endpoint = `http://127.0.0.1:${port}`;
  opts.log?.(`kinesalite on ${endpoint} (${path})`);
  return { endpoint, stop: () => new Promise<void>((done) => server.close(() => done())) };
}

export async function startS3rver(opts: {
  dataDir: string;
  port: number;
  log?: (line: string) => void;
}): Promise<Emulator> {
  const directory = join(opts.dataDir, 's3');
  mkdirSync(directory, { recursive: true });
  const port = opts.port || (await freePort());
  const s3rver = new S3rver({ address: '127.0.0.1', port, directory, silent: true, resetOnClose: false });
  const address = await s3rver.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  opts.log?.(`s3rver on ${endpoint} (${directory})`);
  return { endpoint, stop: () => s3rver.close() };
}
