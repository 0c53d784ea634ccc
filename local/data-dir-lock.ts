/**
 * One local cloud per data dir. A second start on a running cloud's data dir would reap its
 * DynamoDB Local as a leftover (emulators.ts) and, with `--fresh`, wipe its data mid-run: it is
 * refused first. `<dataDir>/cloud.pid` names the holder by pid and start time, so a pid reused
 * after a crash is not mistaken for a running cloud.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const dataDirLockFile = (dataDir: string) => join(dataDir, 'cloud.pid');

interface Holder {
  readonly pid: number;
  /** `ps -o lstart=`: the process's start time as ps prints it */
  readonly started: string;
}

export class DataDirInUseError extends Error {
  constructor(dataDir: string, holder: Holder) {
    super(
      `A local cloud is already running on ${dataDir} (pid ${holder.pid}, since ${holder.started}): stop it first (Ctrl-C in its terminal), or give this one another --data-dir`,
    );
    this.name = 'DataDirInUseError';
  }
}

/** When the process started, or undefined when it is gone (a zombie, killed and not yet reaped, is). */
function startedAt(pid: number): string | undefined {
  const probe = spawnSync('ps', ['-o', 'stat=', '-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8' });
  const match = probe.status === 0 ? /^\s*(\S+)\s+(.+?)\s*$/.exec(probe.stdout) : null;
  return match && !match[1]!.startsWith('Z') ? match[2] : undefined;
}

function readHolder(file: string): Holder | undefined {
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
    return Number.isInteger(holder.pid) && typeof holder.started === 'string' ? (holder as Holder) : undefined;
  } catch {
    return undefined; // none, or torn by a crash mid-write: nobody holds it
  }
}

/**
 * Takes the data dir for this process; throws DataDirInUseError while another start holds it (this
 * process's own unreleased hold included). Returns the release, which removes only its own file.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = dataDirLockFile(dataDir);
  const own: Holder = { pid: process.pid, started: startedAt(process.pid) ?? 'unknown' };
  for (let attempt = 1; ; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(own), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt === 3) throw error;
    }
    const holder = readHolder(file);
    if (holder && startedAt(holder.pid) === holder.started) throw new DataDirInUseError(dataDir, holder);
    rmSync(file, { force: true }); // left by a cloud that did not stop: taken over
  }
  return () => {
    const holder = readHolder(file);
    if (holder?.pid === own.pid && holder.started === own.started) rmSync(file, { force: true });
  };
}
