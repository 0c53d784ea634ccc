/** Helpers for the agent's integration tests: run the CLI in-process, state dirs, a cloud you can unplug. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '#agent/cli/commands';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** `ucx-agent <args>` in this process. */
export async function cli(...args: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (l) => (out += `${l}\n`), err: (l) => (err += `${l}\n`), env: {} });
  return { code, out, err };
}

export function stateDir(): string {
  return mkdtempSync(join(tmpdir(), 'ucx-agent-it-'));
}

/** A sources.json with suite beats from a file, so tests know what is sent. */
export function suiteSources(dir: string, data: Record<string, unknown>): string {
  const file = join(dir, 'suite.json');
  writeFileSync(file, JSON.stringify(data));
  const config = join(dir, 'sources.json');
  writeFileSync(config, JSON.stringify({ sources: [{ file }] }));
  return config;
}

/** A TCP forwarder in front of the cloud that can be unplugged and plugged back on the same port. */
export class Unpluggable {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: URL) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async plug(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(Number(this.target.port), this.target.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((done) => server.listen(this.port, '127.0.0.1', done));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async unplug(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((done) => (this.server ? this.server.close(() => done()) : done()));
    this.server = undefined;
  }
}
