/**
 * `ucx-agent presence`: watch the Teams presence of the users a file lists, over the WebSocket
 * session (or once over HTTP), one line per change.
 */
import { readFileSync } from 'node:fs';
import type { UcxAgent } from '../sdk/agent';
import type { Presence, StateChange } from '../sdk/presence';
import { MAX_USERS_PER_FRAME, MAX_USERS_PER_INSTALLATION, normalUpn } from '../sdk/presence-frames';

/** A users file the command will not use; the message names the file and the line. */
export class UsersFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsersFileError';
  }
}

/**
 * The UPNs of a users file: one a line; blank lines, `#` comments and repeats ignored; lower-cased.
 * Throws `UsersFileError` for a line that is not a UPN, for no user, and beyond 10,000.
 */
export function parseUsersFile(text: string, name = 'the users file'): string[] {
  const users = new Set<string>();
  const bad: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const upn = normalUpn(line);
    if (upn) users.add(upn);
    else bad.push(`line ${index + 1}: ${JSON.stringify(line)}`);
  });
  if (bad.length > 0)
    throw new UsersFileError(
      `${name}: not a user principal name (name@domain) at ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ` and ${bad.length - 5} more` : ''}`,
    );
  if (users.size === 0) throw new UsersFileError(`${name} lists no user (one UPN a line, # for comments)`);
  if (users.size > MAX_USERS_PER_INSTALLATION)
    throw new UsersFileError(
      `${name} lists ${users.size.toLocaleString('en-US')} users; an installation watches at most ${MAX_USERS_PER_INSTALLATION.toLocaleString('en-US')}`,
    );
  return [...users];
}

/** `parseUsersFile` of the file at `path`; a file that cannot be read is a `UsersFileError` too. */
export function readUsersFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsersFileError(`cannot read ${path}: ${(error as Error).message}`);
  }
  return parseUsersFile(text, path);
}

/** `2026-12-04T23:10:00Z user3@contoso.example Busy InACall`, with `[snapshot]` or `[resync]` after when marked. */
export function presenceLine(p: Presence, mark?: 'snapshot' | 'resync'): string {
  const at = Number.isNaN(Date.parse(p.at)) ? p.at : new Date(p.at).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `${at} ${p.user} ${p.availability} ${p.activity}${mark ? ` [${mark}]` : ''}`;
}

export function stateLine(change: StateChange): string {
  const retry = change.retryInMs !== undefined ? `; next attempt in ${(change.retryInMs / 1000).toFixed(1)} s` : '';
  return `presence: ${change.state} ${change.endpoint}${change.reason ? `: ${change.reason}` : ''}${retry}`;
}

export interface PresenceCommandOptions {
  /** the users to watch, from `readUsersFile` */
  users: string[];
  /** print the first snapshot and exit */
  once?: boolean;
  /** the snapshot over HTTP instead of the WebSocket session (implies once) */
  http?: boolean;
}

/** Runs the command until Ctrl-C (`signal`), the snapshot with `once`, or a final refusal; resolves to the exit code. */
export async function presenceCommand(
  agent: UcxAgent,
  options: PresenceCommandOptions,
  io: { out: (line: string) => void; err: (line: string) => void; signal?: AbortSignal },
): Promise<number> {
  const { users } = options;
  if (options.http) {
    for (const p of await agent.presenceSnapshot(users)) io.out(presenceLine(p, 'snapshot'));
    return 0;
  }
  const session = agent.presenceSession();
  const snapshotsExpected = Math.ceil(users.length / MAX_USERS_PER_FRAME);
  let snapshotsSeen = 0;
  let refused = false;
  const finished = new Promise<void>((done) => {
    const snapshotSeen = () => {
      snapshotsSeen += 1;
      if (options.once && snapshotsSeen >= snapshotsExpected) done();
    };
    session.on('state', (change) => {
      io.err(stateLine(change));
      if (change.state === 'open') snapshotsSeen = 0; // a reconnect subscribes everything again
      if (change.state === 'refused') refused = true;
    });
    session.on('close', () => done());
    session.on('ack', (ack) => {
      if (ack.unknown.length > 0) io.err(`presence: unknown to the tenant: ${ack.unknown.join(', ')}`);
    });
    session.on('error', (frame) =>
      io.err(`presence: the cloud refused a frame (${frame.status} ${frame.title}): ${frame.detail}`),
    );
    session.on('snapshot', (presences) => {
      for (const p of presences) io.out(presenceLine(p, 'snapshot'));
      snapshotSeen();
    });
    session.on('resync', (presences, cause) => {
      for (const p of presences) io.out(presenceLine(p, 'resync'));
      if (cause === 'reconnect') snapshotSeen();
    });
    session.on('presence', (updates) => {
      for (const p of updates) io.out(presenceLine(p));
    });
    if (io.signal?.aborted) done();
    io.signal?.addEventListener('abort', () => done(), { once: true });
  });
  session.subscribe(users);
  session.connect();
  await finished;
  await session.close();
  return refused ? 1 : 0;
}
