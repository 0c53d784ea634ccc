/**
 * DynamoDB Local's JVM never outlives the local cloud (issue 17, finding 13): java dies with its
 * guard even when the guard is SIGKILLed with the cloud, and a JVM an earlier run left behind is
 * reaped at the next start, only when its command line says it is ours. A Ctrl-C stops the cloud
 * before java, so the consumers' last writes are answered.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dynamoDbPidFile, freePort } from '#local/emulators';
import { findRepoRoot } from '#local/repo-root';
import { runCloud, startCloudProcess, type CloudProcess } from '#test/support/local-cloud';

/** Alive and not a zombie (a killed child whose parent is gone may linger as one). */
function running(pid: number): boolean {
  const probe = spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' });
  return probe.status === 0 && !probe.stdout.trim().startsWith('Z');
}

const parentOf = (pid: number) =>
  Number(spawnSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim());

async function gone(pid: number, withinMs = 10_000): Promise<boolean> {
  for (const deadline = Date.now() + withinMs; Date.now() < deadline; ) {
    if (!running(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !running(pid);
}

describe('DynamoDB Local does not outlive the local cloud', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ucx-jvm-reaping-'));
  const start = () => startCloudProcess({ dataDir, assemblyDir: runCloud().assemblyDir });
  let cloud: CloudProcess | undefined;
  const strays: number[] = [];

  afterAll(async () => {
    await cloud?.stop();
    for (const pid of strays) if (running(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('java dies when the cloud and its guard are SIGKILLed together', async () => {
    cloud = await start();
    const java = Number(readFileSync(dynamoDbPidFile(dataDir), 'utf8'));
    const guard = parentOf(java);
    expect(running(java)).toBe(true);
    expect(parentOf(guard)).toBe(cloud.pid);

    // What a process-group SIGKILL does to the cloud's side (java may be spared: another group, a race).
    process.kill(cloud.pid, 'SIGKILL');
    process.kill(guard, 'SIGKILL');
    strays.push(java);

    expect(await gone(java)).toBe(true);
  }, 180_000);

  it('a Ctrl-C does not stop java before the cloud: its guard is in another process group and ignores SIGINT', async () => {
    cloud = await start();
    const java = Number(readFileSync(dynamoDbPidFile(dataDir), 'utf8'));
    const guard = parentOf(java);
    const groupOf = (pid: number) =>
      Number(spawnSync('ps', ['-o', 'pgid=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim());
    expect(groupOf(guard)).not.toBe(groupOf(cloud.pid));

    // What a terminal's Ctrl-C would send them, were they in its foreground group.
    process.kill(guard, 'SIGINT');
    process.kill(java, 'SIGINT');
    await new Promise((r) => setTimeout(r, 1000));
    expect(running(guard)).toBe(true);
    expect(running(java)).toBe(true);

    await cloud.stop();
    cloud = undefined;
    expect(await gone(java)).toBe(true);
  }, 180_000);

  it('a JVM an earlier run left on this data dir is reaped at the next start; a stranger under its pid is not', async () => {
    // A DynamoDB Local started as an older cloud would have, on this data dir, with its pid file.
    const emulator = join(findRepoRoot(), 'node_modules', 'amplify-dynamodb-simulator', 'emulator');
    mkdirSync(join(dataDir, 'dynamodb'), { recursive: true });
    const stray = spawn(
      'java',
      [
        `-Djava.library.path=${join(emulator, 'DynamoDBLocal_lib')}`,
        '-jar',
        join(emulator, 'DynamoDBLocal.jar'),
        '-sharedDb',
        '-dbPath',
        join(dataDir, 'dynamodb'),
        '-port',
        String(await freePort()),
      ],
      { detached: true, stdio: 'ignore' },
    );
    stray.unref();
    strays.push(stray.pid!);
    expect(running(stray.pid!)).toBe(true);
    writeFileSync(dynamoDbPidFile(dataDir), `${stray.pid}\n`);

    cloud = await start();

    expect(await gone(stray.pid!, 1000)).toBe(true);
    await cloud.stop();
    cloud = undefined;

    // A pid file naming a process that is not ours (a reused pid): left alone.
    const stranger = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    stranger.unref();
    strays.push(stranger.pid!);
    writeFileSync(dynamoDbPidFile(dataDir), `${stranger.pid}\n`);
    cloud = await start();
    expect(running(stranger.pid!)).toBe(true);
  }, 240_000);
});
