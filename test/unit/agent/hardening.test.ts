/**
 * The agent's hardening (issue 17, finding 7): the activation key from a file or standard input
 * (`--key` still works, with a warning), a 421 followed once and only to https (http on loopback),
 * and every file the agent reads parsed with zod: a corrupt one is named, never cast.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type CliIo } from '#agent/cli/commands';
import { loadSources } from '#agent/collectors/pluggable';
import { AgentFileError } from '#agent/sdk/files';
import { loadOrCreateIdentity } from '#agent/sdk/identity';
import { followableEndpoint } from '#agent/sdk/regions';
import { DiskSpool } from '#agent/sdk/spool';
import { FileStateStore } from '#agent/sdk/state';
import { activatedOn, EU, FakeCloud, US } from './sdk/fake-cloud';

const dir = () => mkdtempSync(join(tmpdir(), 'ucx-agent-hardening-'));

async function run(args: string[], io: Partial<CliIo> = {}) {
  let out = '';
  let err = '';
  const code = await main(args, { out: (l) => (out += `${l}\n`), err: (l) => (err += `${l}\n`), env: {}, ...io });
  return { code, out, err };
}

/** `activate --offline-request` writes the key it was given into the request file: no cloud needed. */
async function keyActivatedWith(args: string[], io: Partial<CliIo> = {}) {
  const stateDir = dir();
  const request = join(stateDir, 'request.json');
  const result = await run(
    ['activate', '--offline-request', request, '--state-dir', stateDir, '--no-system', ...args],
    io,
  );
  const key = existsSync(request)
    ? (JSON.parse(readFileSync(request, 'utf8')) as { request: { activationKey: string } }).request.activationKey
    : undefined;
  return { ...result, key };
}

describe('the activation key', () => {
  it('is read from --key-file, without a warning', async () => {
    const file = join(dir(), 'key.txt');
    writeFileSync(file, 'UCX-FILE-KEY\n', { mode: 0o600 });

    const { code, key, err } = await keyActivatedWith(['--key-file', file]);

    expect(code).toBe(0);
    expect(key).toBe('UCX-FILE-KEY');
    expect(err).toBe('');
  });

  it('is read from standard input with --key -, or piped without --key', async () => {
    const dash = await keyActivatedWith(['--key', '-'], { readStdin: async () => 'UCX-STDIN-KEY\n' });
    const piped = await keyActivatedWith([], { stdinIsTTY: false, readStdin: async () => 'UCX-PIPED-KEY' });

    expect([dash.key, piped.key]).toEqual(['UCX-STDIN-KEY', 'UCX-PIPED-KEY']);
    expect(dash.err + piped.err).toBe('');
  });

  it('still works from --key, with a warning on stderr', async () => {
    const { code, key, err } = await keyActivatedWith(['--key', 'UCX-ARGV-KEY']);

    expect(code).toBe(0);
    expect(key).toBe('UCX-ARGV-KEY');
    expect(err).toMatch(/warning: --key shows the activation key to ps/);
  });

  it('an empty key file is an error naming the file', async () => {
    const file = join(dir(), 'empty.txt');
    writeFileSync(file, '\n');

    const { code, err } = await keyActivatedWith(['--key-file', file]);

    expect(code).toBe(1);
    expect(err).toContain(`${file}: empty`);
  });
});

describe('a 421', () => {
  it.each([
    ['https://us.api.example', true],
    ['wss://eu.presence.example/v1', true],
    ['http://127.0.0.1:4200', true],
    ['http://localhost:4200', true],
    ['http://[::1]:4200', true],
    ['ws://127.0.0.1:4101/v1', true],
    ['http://us.api.example', false],
    ['http://127.0.0.1.evil.example', false],
    ['ftp://us.api.example', false],
    ['javascript:alert(1)', false],
    ['not a url', false],
  ])('to %s is followed: %s', (url, followed) => {
    expect(followableEndpoint(url)).toBe(followed);
  });

  it('naming an http endpoint that is not loopback is not followed: the beats stay spooled', async () => {
    const cloud = await FakeCloud.create();
    const { agent, spool } = await activatedOn(cloud);
    const plain = 'http://us.api.test';
    cloud.endpointOf = (region) => (region === 'eu' ? EU : plain);
    cloud.home = 'us';

    await expect(agent.telemetryCycle()).rejects.toMatchObject({ status: 421 });

    expect(cloud.requests.map((r) => r.endpoint)).not.toContain(plain);
    expect(cloud.requests.map((r) => r.endpoint)).not.toContain(US);
    expect(agent.homeEndpoint()).toBe(EU);
    expect(spool.stats().beats).toBeGreaterThan(0);
  });
});

describe('files the agent reads', () => {
  it('a corrupt state file is an error naming the file and the field', () => {
    const file = join(dir(), 'state.json');
    writeFileSync(file, JSON.stringify({ installationId: 42 }));

    expect(() => new FileStateStore(file).read()).toThrow(AgentFileError);
    expect(() => new FileStateStore(file).read()).toThrow(`${file}: not an agent state file: installationId:`);
  });

  it('a torn state file (not JSON) says so, and a good one reads back with fields it does not know', () => {
    const torn = join(dir(), 'state.json');
    writeFileSync(torn, '{"installationId": "inst_');
    const good = new FileStateStore(join(dir(), 'state.json'));
    good.write({ installationId: 'inst_a', region: 'eu', ...{ futureField: 1 } });

    expect(() => new FileStateStore(torn).read()).toThrow(/not an agent state file: not JSON/);
    expect(good.read()).toEqual({ installationId: 'inst_a', region: 'eu', futureField: 1 });
  });

  it('a corrupt spool file is set aside, named and counted; the other beats are sent', () => {
    const spoolDir = join(dir(), 'spool');
    const told: string[] = [];
    const spool = new DiskSpool(spoolDir, 1024 * 1024, (m) => told.push(m));
    spool.add([
      { id: 'b1', type: 'hardware.memory', collectedAt: '2026-03-02T09:00:00.000Z', data: {} },
      { id: 'b2', type: 'hardware.memory', collectedAt: '2026-03-02T09:01:00.000Z', data: {} },
    ]);
    const first = readdirSync(spoolDir).find((name) => name.includes('-b1.json'))!;
    writeFileSync(join(spoolDir, first), '{"id": "b1", "type": 7}');

    const beats = spool.peek(10);

    expect(beats.map((b) => b.id)).toEqual(['b2']);
    expect(told).toEqual([expect.stringContaining(`${join(spoolDir, first)}: not a spooled beat: type:`)]);
    expect(readdirSync(spoolDir)).toContain(`${first}.corrupt`);
    expect(spool.stats()).toMatchObject({ beats: 1, dropped: 1 });
  });

  it('a sources file of the wrong shape is an error naming the file and the field', () => {
    const file = join(dir(), 'sources.json');
    writeFileSync(file, JSON.stringify({ sources: [{ file: '/etc/ucx/suite.json' }, { comand: 'typo' }] }));

    expect(() => loadSources(file)).toThrow(`${file}: not a sources file`);
    expect(() => loadSources(file)).toThrow(/sources\.1/);
  });

  it('an offline response file of the wrong shape is refused, naming the file, before anything is kept', async () => {
    const stateDir = dir();
    await loadOrCreateIdentity(join(stateDir, 'identity.key'));
    const response = join(stateDir, 'response.json');
    writeFileSync(response, JSON.stringify({ installationId: 'inst_a', license: 'x.y.z' }));

    const { code, err } = await run([
      'activate',
      '--offline-response',
      response,
      '--state-dir',
      stateDir,
      '--no-system',
    ]);

    expect(code).toBe(1);
    expect(err).toContain(`${response}: not an offline activation response: accountId:`);
    expect(existsSync(join(stateDir, 'state.json'))).toBe(false);
  });
});
