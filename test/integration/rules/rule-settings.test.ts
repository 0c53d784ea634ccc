/**
 * Rule settings, advisory tables and the fleet overview on the local cloud: beats go through ingest,
 * the stream and the real rules consumer. An account's setting changes whether a rule fires for that
 * account alone; an advisory table makes suite-outdated judge (none: it says nothing); the fleet's
 * counters count the findings opened; the routes validate, audit and repeat harmlessly.
 */
import type { TestAgent } from '#test/support/agent-client';
import { activatedAgent, api, call, expectProblem, newAccount, perpetual } from '#test/support/licensing-api';
import { tokenFor, withOwnCloud } from '#test/support/local-cloud';
import { postExpressDatabaseAndSuite } from '#test/support/telemetry-api';

jest.setTimeout(300_000);

// Its own cloud: an advisory table applies to every installation of the region.
withOwnCloud();

const support = () => tokenFor({ groups: ['support'] });
const backoffice = () => tokenFor({ groups: ['backoffice'] });

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

type Finding = { ruleId: string; severity: string; status: string };
async function findings(installationId: string): Promise<Finding[]> {
  const res = await call('GET', `${api()}/v1/installations/${installationId}/findings?status=all`, {
    token: support(),
  });
  return res.status === 200 ? (res.json.findings as Finding[]) : [];
}

describe('rule settings, advisory tables and the fleet overview', () => {
  let tuned: { accountId: string; agent: TestAgent };
  let plain: { accountId: string; agent: TestAgent };

  beforeAll(async () => {
    const [a, b] = await Promise.all([
      newAccount([perpetual('ivr', 5, 'gold')]),
      newAccount([perpetual('ivr', 5, 'gold')]),
    ]);
    tuned = { accountId: a, agent: (await activatedAgent(a, { allocation: { ivr: 1 } })).agent };
    plain = { accountId: b, agent: (await activatedAgent(b, { allocation: { ivr: 1 } })).agent };
  });

  it('refuses a setting the rule’s schema refuses, with the path inside the settings (400)', async () => {
    const res = await call('PUT', `${api()}/v1/support/accounts/${tuned.accountId}/rule-settings/db-express-cap`, {
      token: support(),
      body: { warnRatio: 4 },
    });

    expectProblem(res, 400, 'warnRatio');
  });

  it('fires a rule for the account whose threshold support lowered, and not for another account', async () => {
    const put = () =>
      call('PUT', `${api()}/v1/support/accounts/${tuned.accountId}/rule-settings/db-express-cap`, {
        token: support(),
        body: { warnRatio: 0.4 },
      });
    const first = await put();
    const again = await put();
    expect(first.status).toBe(200);
    expect(again.json).toEqual(first.json);
    expect(first.json).toMatchObject({ settings: { warnRatio: 0.4 }, effective: { warnRatio: 0.4 } });

    await postExpressDatabaseAndSuite(tuned.agent, '2025.4.1');
    await postExpressDatabaseAndSuite(plain.agent, '2025.4.1');
    const opened = await until('the tuned account’s finding', async () =>
      (await findings(tuned.agent.keyid)).find((f) => f.ruleId === 'db-express-cap'),
    );
    // the plain installation's beats were evaluated too (its suite is known to support), without a finding
    await until('the plain installation evaluated', async () => {
      const res = await call('GET', `${api()}/v1/installations/${plain.agent.keyid}/snapshot`, { token: support() });
      return res.status === 200 ? true : undefined;
    });

    expect(opened).toMatchObject({ severity: 'warning', status: 'open' });
    expect((await findings(plain.agent.keyid)).filter((f) => f.ruleId === 'db-express-cap')).toEqual([]);
    const audit = await call('GET', `${api()}/v1/accounts/${tuned.accountId}/audit?action=rule-settings.set`, {
      token: tokenFor({ groups: ['backoffice'] }),
    });
    expect(audit.json.events).toHaveLength(1);
  });

  it('judges suite versions only once the back office maintains the table', async () => {
    const before = await call('GET', `${api()}/v1/ops/advisories`, { token: support() });
    expect(before.json.advisories).toEqual(
      expect.arrayContaining([expect.objectContaining({ ruleId: 'suite-outdated', table: null })]),
    );
    expect((await findings(plain.agent.keyid)).filter((f) => f.ruleId === 'suite-outdated')).toEqual([]);

    const bad = await call('PUT', `${api()}/v1/ops/advisories/suite-outdated`, {
      token: backoffice(),
      body: { oldestSupported: '2026.1', knownIssues: [{ versions: [], severity: 'warning', issue: 'x' }] },
    });
    expectProblem(bad, 400, 'knownIssues.0.versions');
    const set = await call('PUT', `${api()}/v1/ops/advisories/suite-outdated`, {
      token: backoffice(),
      body: { oldestSupported: '2026.1' },
    });
    expect(set.status).toBe(200);
    await postExpressDatabaseAndSuite(plain.agent, '2025.4.1');

    const outdated = await until('suite-outdated on the plain installation', async () =>
      (await findings(plain.agent.keyid)).find((f) => f.ruleId === 'suite-outdated'),
    );
    expect(outdated).toMatchObject({ severity: 'warning', status: 'open' });
  });

  it('counts the findings opened in the fleet overview', async () => {
    // the consumer adds to the counters right after it stores the findings
    const overview = await until('the overview counting both', async () => {
      const res = await call('GET', `${api()}/v1/support/overview`, { token: support() });
      return res.json?.open?.byRule?.length >= 2 && res.json.installations.bySqlEdition[0]?.count === 2
        ? res
        : undefined;
    });

    expect(overview.status).toBe(200);
    expect(overview.json.days).toHaveLength(30);
    expect(overview.json.open.byRule).toEqual(
      expect.arrayContaining([
        { ruleId: 'db-express-cap', count: 1 },
        { ruleId: 'suite-outdated', count: 1 },
      ]),
    );
    expect(overview.json.installations.bySqlEdition).toEqual([{ edition: 'Express Edition', count: 2 }]);
    expect(overview.json.installations.bySuiteRelease).toEqual([{ release: '2025.4', count: 2 }]);
    const express = await call(
      'GET',
      `${api()}/v1/support/installations?sqlEdition=Express%20Edition&suiteRelease=2025.4`,
      {
        token: support(),
      },
    );
    expect(express.json.installations.map((i: { installationId: string }) => i.installationId).sort()).toEqual(
      [tuned.agent.keyid, plain.agent.keyid].sort(),
    );
    expect(overview.json.noisiestRules).toEqual(
      expect.arrayContaining([expect.objectContaining({ ruleId: 'db-express-cap', opened: 1 })]),
    );
    const customer = await call('GET', `${api()}/v1/support/overview`, {
      token: tokenFor({ groups: ['customer'], accountId: tuned.accountId }),
    });
    expect(customer.status).toBe(403);
  });

  it('gives the next batch a setting changed after the account’s settings were kept by the consumer', async () => {
    // the plain account's (none) were read and kept while its beats were evaluated above
    const set = await call('PUT', `${api()}/v1/support/accounts/${plain.accountId}/rule-settings/db-express-cap`, {
      token: support(),
      body: { warnRatio: 0.4 },
    });
    expect(set.status).toBe(200);

    await postExpressDatabaseAndSuite(plain.agent, '2025.4.1');

    const opened = await until('the plain account’s finding', async () =>
      (await findings(plain.agent.keyid)).find((f) => f.ruleId === 'db-express-cap'),
    );
    expect(opened).toMatchObject({ severity: 'warning', status: 'open' });
  });
});
