import { gzipSync } from 'node:zlib';
import { cloudNow, tokenFor } from '#test/support/local-cloud';
import { activatedAgent, api, call, expectProblem, newAccount, perpetual } from '#test/support/licensing-api';
import { postBeats, streamRecordsOf, streamRowsOf } from '#test/support/telemetry-api';
import { validBeat, validBeatOfEveryType } from '#test/support/telemetry-fixtures';
import { randomUUID } from 'node:crypto';
import { careCycleSeconds } from '#lambdas/core/telemetry/cadence';
import type { TestAgent } from '#test/support/agent-client';

/** A fixture beat with a new id, collected now (ingest refuses beats dated far from their arrival). */
const fresh = <T extends { id: string }>(beat: T): T =>
  ({ ...beat, id: randomUUID(), collectedAt: cloudNow().toISOString() }) as T;
const MINUTE = 60_000;

jest.setTimeout(30_000);

describe('POST /v1/installations/{id}/telemetry', () => {
  let accountId: string;
  let agent: TestAgent;

  beforeAll(async () => {
    accountId = await newAccount([perpetual('ivr', 2)], { resellerId: 'res-telemetry' });
    ({ agent } = await activatedAgent(accountId));
  });

  it('accepts a gzipped batch of every beat type and puts each beat on the stream once', async () => {
    const beats = validBeatOfEveryType().map(fresh);

    const res = await postBeats(agent, { beats }, { gzip: true });

    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ accepted: 25, duplicates: 0, rejected: [], redactions: [] });
    const rows = (await streamRowsOf(agent.keyid)).filter((r) => beats.some((b) => b.id === r.beat_id));
    expect(rows).toHaveLength(25);
    expect(new Set(rows.map((r) => r.type)).size).toBe(25);
  });

  it("puts the rules' licence facts in the batch's stream record: the licence's products, nodes, (Gold's) cycle and the 202's ETag", async () => {
    const beat = fresh(validBeat('ucx.ivr'));

    const res = await postBeats(agent, { beats: [beat] });

    expect(res.status).toBe(202);
    const record = (await streamRecordsOf(agent.keyid)).find((r) => r.beats.some((b) => b.beat_id === beat.id));
    expect(record?.header.licence).toEqual({
      v: 1,
      etag: res.json.license.etag,
      products: [expect.objectContaining({ product: 'ivr', capacity: 2, kind: 'perpetual' })],
      nodes: ['ucx-node-1'],
      telemetry: { enabled: true, intervalSeconds: careCycleSeconds.gold },
    });
    expect(res.json.license.etag).toEqual(expect.any(String));
  });

  it('refuses with 403 and stores nothing while telemetry is off, and accepts again once it is back on', async () => {
    const reseller = tokenFor({ groups: ['reseller'], resellerId: 'res-telemetry' });
    const switchUrl = `${api()}/v1/accounts/${accountId}/telemetry`;
    const whileOff = fresh(validBeat('ucx.ivr'));
    const afterwards = fresh(validBeat('ucx.ivr'));

    await call('PATCH', switchUrl, { token: reseller, body: { enabled: false } });
    const off = await postBeats(agent, { beats: [whileOff] });
    await call('PATCH', switchUrl, { token: reseller, body: { enabled: true } });
    const on = await postBeats(agent, { beats: [afterwards] });

    expectProblem(off, 403);
    expect(on.status).toBe(202);
    const ids = (await streamRowsOf(agent.keyid)).map((r) => r.beat_id);
    expect(ids).not.toContain(whileOff.id);
    expect(ids).toContain(afterwards.id);
  });

  const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20)); // 64 MiB of spaces in ~64 KiB
  const cases: {
    name: string;
    send: () => ReturnType<typeof postBeats>;
    status: number;
    path?: string;
    /** the field error's words (zod/mini, whose bundle registers zod's English messages itself) */
    message?: RegExp;
  }[] = [
    {
      name: 'malformed JSON',
      send: () => postBeats(agent, null, { raw: gzipSync('{"beats": [') }),
      status: 400,
      path: '',
    },
    {
      name: 'bad gzip',
      send: () => postBeats(agent, null, { raw: Buffer.from('definitely not gzip') }),
      status: 400,
      path: '',
    },
    { name: 'a decompression bomb', send: () => postBeats(agent, null, { raw: bomb }), status: 413 },
    {
      name: '501 beats',
      send: () =>
        postBeats(agent, { beats: Array.from({ length: 501 }, () => fresh(validBeat('ucx.ivr'))) }, { gzip: true }),
      status: 413,
    },
    {
      name: 'an unknown type',
      send: () => postBeats(agent, { beats: [{ ...fresh(validBeat('ucx.ivr')), type: 'ucx.coffee' }] }),
      status: 400,
      path: 'beats.0.type',
    },
    {
      name: 'wrong types',
      send: () => postBeats(agent, { beats: [{ ...fresh(validBeat('ucx.ivr')), data: { activeCalls: 'many' } }] }),
      status: 400,
      path: 'beats.0.data.activeCalls',
      message: /expected number, received string/,
    },
    {
      name: 'a missing field',
      send: () => postBeats(agent, { beats: [{ ...fresh(validBeat('ucx.ivr')), data: {} }] }),
      status: 400,
      path: 'beats.0.data.activeCalls',
    },
    {
      name: 'a beat collected 10 minutes after it arrives',
      send: () =>
        postBeats(agent, {
          beats: [{ ...fresh(validBeat('ucx.ivr')), collectedAt: new Date(Date.now() + 10 * MINUTE).toISOString() }],
        }),
      status: 400,
      path: 'beats.0.collectedAt',
    },
    {
      name: 'a beat collected 8 days before it arrives',
      send: () =>
        postBeats(agent, {
          beats: [
            { ...fresh(validBeat('ucx.ivr')), collectedAt: new Date(Date.now() - 8 * 1440 * MINUTE).toISOString() },
          ],
        }),
      status: 400,
      path: 'beats.0.collectedAt',
    },
    {
      name: 'a bad UUID',
      send: () => postBeats(agent, { beats: [{ ...validBeat('ucx.ivr'), id: 'beat-1' }] }),
      status: 400,
      path: 'beats.0.id',
    },
  ];

  it.each(cases)('answers $name with a clear 4xx and stores nothing', async ({ send, status, path, message }) => {
    const before = (await streamRowsOf(agent.keyid)).length;

    const res = await send();

    expectProblem(res, status, path);
    if (message) expect(res.json.errors.find((e: { path: string }) => e.path === path).message).toMatch(message);
    expect((await streamRowsOf(agent.keyid)).length).toBe(before);
  });

  it('refuses an unsigned batch before unpacking it', async () => {
    const res = await agent.request(
      api(),
      'POST',
      `/v1/installations/${agent.keyid}/telemetry`,
      { beats: [validBeat('ucx.ivr')] },
      { omitSignature: true },
    );

    expectProblem(res, 401);
  });

  it('sends a US installation posting to the EU region away with 421', async () => {
    const usAccount = await newAccount([perpetual('ivr', 1)], { region: 'us' });
    const { agent: usAgent } = await activatedAgent(usAccount, {}, 'us');

    const res = await postBeats(usAgent, { beats: [fresh(validBeat('ucx.ivr'))] }, { region: 'eu' });
    const home = await postBeats(usAgent, { beats: [fresh(validBeat('ucx.ivr'))] }, { region: 'us' });

    expectProblem(res, 421);
    expect(home.status).toBe(202);
    expect(await streamRowsOf(usAgent.keyid, 'eu')).toHaveLength(0);
    expect(await streamRowsOf(usAgent.keyid, 'us')).toHaveLength(1);
  });
});
