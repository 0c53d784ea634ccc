/**
 * One local cloud per data dir: a second start on a running cloud's data dir is refused before it
 * wipes or reaps anything; a lock left by a cloud that died, or naming a pid since reused, is taken over.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCloud } from '#local/cloud';
import { DataDirInUseError, dataDirLockFile, lockDataDir } from '#local/data-dir-lock';
import { findRepoRoot } from '#local/repo-root';

const repoRoot = findRepoRoot();
const moduleFile = join(repoRoot, 'local', 'data-dir-lock.ts');

/** Another process holding the data dir, as a running cloud does: resolves once it holds it. */
async function holderOf(dataDir: string): Promise<ChildProcess> {
  const script = `const { lockDataDir } = await import(${JSON.stringify(moduleFile)}); lockDataDir(${JSON.stringify(dataDir)}); console.log('held'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('held') && resolve());
    child.once('exit', (code) => reject(new Error(`the holder exited (${code}) before it held the data dir`)));
  });
  return child;
}

const exited = (child: ChildProcess) => new Promise((resolve) => child.once('exit', resolve));

describe('one local cloud per data dir', () => {
  let dataDir: string;
  let holder: ChildProcess | undefined;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ucx-data-dir-lock-'));
  });
  afterEach(() => {
    holder?.kill('SIGKILL');
    holder = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a fresh start on a running cloud’s data dir before it removes anything', async () => {
    holder = await holderOf(dataDir);
    mkdirSync(join(dataDir, 'dynamodb'));
    writeFileSync(join(dataDir, 'dynamodb', 'shared-local-instance.db'), 'the running cloud’s tables');

    // free ports all round: were it not refused, it would not touch a cloud running beside the tests
    const ports = { euPort: 0, usPort: 0, dynamodbPort: 0, kinesisPort: 0, s3Port: 0 };
    const start = startLocalCloud({ repoRoot, dataDir, fresh: true, seed: 'skip', ...ports });

    await expect(start).rejects.toThrow(DataDirInUseError);
    await expect(start).rejects.toThrow(`already running on ${dataDir} (pid ${holder.pid}`);
    expect(readFileSync(join(dataDir, 'dynamodb', 'shared-local-instance.db'), 'utf8')).toBe(
      'the running cloud’s tables',
    );
    expect(JSON.parse(readFileSync(dataDirLockFile(dataDir), 'utf8')).pid).toBe(holder.pid);
  }, 30_000);

  it('takes over the lock of a cloud that died without letting go', async () => {
    holder = await holderOf(dataDir);
    const gone = exited(holder);
    holder.kill('SIGKILL');
    await gone;

    const release = lockDataDir(dataDir);

    expect(JSON.parse(readFileSync(dataDirLockFile(dataDir), 'utf8')).pid).toBe(process.pid);
    release();
    expect(existsSync(dataDirLockFile(dataDir))).toBe(false);
  }, 30_000);

  it('takes over a lock whose pid now belongs to another process (a different start time)', () => {
    const started = spawnSync('ps', ['-o', 'lstart=', '-p', String(process.pid)], { encoding: 'utf8' }).stdout.trim();
    expect(started).not.toBe('');
    writeFileSync(dataDirLockFile(dataDir), JSON.stringify({ pid: process.pid, started: 'Thu Jan  1 00:00:00 1970' }));

    const release = lockDataDir(dataDir);

    expect(JSON.parse(readFileSync(dataDirLockFile(dataDir), 'utf8'))).toEqual({ pid: process.pid, started });
    release();
  });

  it('refuses this process a second hold until the first is released, and a release leaves another’s lock alone', () => {
    const release = lockDataDir(dataDir);
    expect(() => lockDataDir(dataDir)).toThrow(DataDirInUseError);
    release();
    const again = lockDataDir(dataDir);
    // a release of a hold since taken over (the file rewritten by another start) removes nothing
    const other = JSON.stringify({ pid: 1, started: 'another start' });
    writeFileSync(dataDirLockFile(dataDir), other);
    release();
    again();
    expect(readFileSync(dataDirLockFile(dataDir), 'utf8')).toBe(other);
  });

  it('takes over a torn lock file', () => {
    writeFileSync(dataDirLockFile(dataDir), '{"pid": 12');
    const release = lockDataDir(dataDir);
    expect(JSON.parse(readFileSync(dataDirLockFile(dataDir), 'utf8')).pid).toBe(process.pid);
    release();
  });
});
