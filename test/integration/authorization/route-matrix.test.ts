/**
 * The authorisation matrix, generated from the route table: every route tried with every role,
 * against the caller's own account and another one, each answer checked. A new 'user' route
 * without a policy here fails the suite, so the matrix cannot silently fall behind.
 */
import { randomUUID, sign } from 'node:crypto';
import { canonicalJson } from '#lambdas/core/canonical-json';
import { operationNameOf, type ApiOperationName } from '#lambdas/shared/api-routes';
import { routes, type RouteSpec } from '#lib/routes';
import { generateIdentityKeys } from '#agent/sdk/signing';
import type { TestAgent } from '#test/support/agent-client';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { localDynamoDb } from '#local/clients';
import { cloud, tokenFor } from '#test/support/local-cloud';
import {
  activatedAgent,
  api,
  call,
  newAccount,
  newActivationKey,
  perpetual,
  type JsonResponse,
} from '#test/support/licensing-api';
import { postBeats } from '#test/support/telemetry-api';

jest.setTimeout(180_000);

type Caller = 'anonymous' | 'backoffice' | 'support' | 'customer' | 'reseller';
/** `unresold`: an account that has no reseller (not in the role-by-target grid; the finding 14 cases below) */
type Target = 'own' | 'other' | 'unresold';
/**
 * who may call a route: `read` and `manage` are scoped to the caller's own account, `reseller` to its own reseller id,
 * `administer` to the account's own administrators (customer) and the back office
 */
type Policy =
  | 'backoffice'
  | 'staff'
  | 'read'
  | 'manage'
  | 'reseller'
  | 'administer'
  /** the support group alone (not even the back office) */
  | 'support'
  | SignUpPolicy
  | TermsPolicy;
/** terms: `own-administrator` for the account's own administrators alone (not even the back office), `signed-in` for every role */
type TermsPolicy = 'own-administrator' | 'signed-in';
/** the sign-up routes: `sign-up` for a person without an account (none of these callers), `person` for anyone signed in */
type SignUpPolicy = 'sign-up' | 'person';

/** by operation: routes that share a function (accountPeople) have a policy each */
const policies: Partial<Record<ApiOperationName, Policy>> = {
  putOrder: 'backoffice',
  previewOrder: 'backoffice',
  listRecentOrders: 'backoffice',
  searchAccounts: 'backoffice',
  getAccount: 'read',
  createActivationKey: 'manage',
  listActivationKeys: 'read',
  revokeActivationKey: 'manage',
  offlineActivation: 'manage',
  setTelemetry: 'manage',
  setStaleRelease: 'manage',
  changeAllocation: 'manage',
  deactivateAccountInstallation: 'manage',
  listAccountInstallations: 'read',
  listAccountFindings: 'read',
  getInstallationSnapshot: 'staff',
  listInstallationFindings: 'read',
  getInstallationHistory: 'read',
  acknowledgeFinding: 'staff',
  listResellerAccounts: 'reseller',
  inviteAccountUser: 'manage',
  listAccountUsers: 'read',
  removeAccountUser: 'manage',
  listAuditEvents: 'read',
  createAccount: 'sign-up',
  applyReseller: 'sign-up',
  getResellerApplication: 'person',
  listResellerApplications: 'backoffice',
  approveReseller: 'backoffice',
  setAccountReseller: 'administer',
  removeAccountReseller: 'administer',
  listSupportInstallations: 'staff',
  setTelemetryInterval: 'support',
  endTelemetryInterval: 'support',
  getPresenceSettings: 'read',
  setPresence: 'manage',
  connectPresenceTenant: 'manage',
  disconnectPresenceTenant: 'manage',
  exportAccount: 'manage',
  closeAccount: 'administer',
  getAccountClosure: 'read',
  reopenAccount: 'backoffice',
  publishTerms: 'backoffice',
  listTerms: 'signed-in',
  listTermsConsents: 'staff',
  getAccountTerms: 'read',
  getTermsHistory: 'read',
  acceptTerms: 'own-administrator',
  objectToTerms: 'own-administrator',
  createMachineClient: 'backoffice',
  listMachineClients: 'backoffice',
  revokeMachineClient: 'backoffice',
  getFleetOverview: 'staff',
  getRuleSettings: 'staff',
  putRuleSetting: 'support',
  deleteRuleSetting: 'support',
  listAdvisoryTables: 'staff',
  putAdvisoryTable: 'backoffice',
  deleteAdvisoryTable: 'backoffice',
};

/** A person's token passes the JWT authorizer ('user') and the Lambda authorizer ('staff-or-machine'). */
const byPerson = (auth: string) => auth === 'user' || auth === 'staff-or-machine';

function allowed(policy: Policy, caller: Caller, target: Target): boolean {
  if (caller === 'anonymous') return false;
  if (policy === 'own-administrator') return caller === 'customer' && target === 'own';
  if (policy === 'signed-in') return true;
  if (policy === 'support') return caller === 'support';
  if (caller === 'backoffice') return true;
  if (caller === 'support') return policy === 'staff' || policy === 'read';
  if (policy === 'reseller') return caller === 'reseller' && target === 'own';
  if (policy === 'person') return true;
  if (policy === 'sign-up') return false;
  if (policy === 'administer') return caller === 'customer' && target === 'own';
  return (policy === 'read' || policy === 'manage') && target === 'own';
}

interface World {
  accounts: Record<Target, { accountId: string; installationId: string; findingId: string }>;
}
const world = {} as World;

const GIB = 1024 ** 3;
async function accountWithFinding(resellerId?: string) {
  const accountId = await newAccount([perpetual('ivr', 50, 'gold')], resellerId ? { resellerId } : {});
  const { agent } = await activatedAgent(accountId, { allocation: { ivr: 1 } });
  let t = Date.now() - 10_000;
  const beat = (type: string, data: unknown) => {
    t += 1000;
    return { id: randomUUID(), type, collectedAt: new Date(t).toISOString(), data };
  };
  const posted = await postBeats(agent, {
    beats: [
      beat('ucx.database_server', { edition: 'Express Edition', version: '16.0.1000.6', instanceName: 'SQLEXPRESS' }),
      beat('ucx.database', {
        name: 'UCX',
        sizeBytes: Math.round(9.6 * GIB),
        filePaths: [],
        authType: 'sql',
        fullTextCatalogStatus: 'Idle',
        lastMaintenanceAt: new Date().toISOString(),
      }),
    ],
  });
  if (posted.status !== 202) throw new Error(`beats refused: ${posted.text}`);
  const staff = tokenFor({ groups: ['support'] });
  for (let i = 0; i < 120; i++) {
    const res = await call('GET', `${api()}/v1/installations/${agent.keyid}/findings`, { token: staff });
    const finding = res.json?.findings?.[0];
    if (finding) return { accountId, installationId: agent.keyid, findingId: finding.findingId as string };
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('no finding appeared');
}

function tokenOf(caller: Caller): string | undefined {
  switch (caller) {
    case 'anonymous':
      return undefined;
    case 'backoffice':
    case 'support':
      return tokenFor({ groups: [caller] });
    case 'customer':
      return tokenFor({ groups: ['customer'], accountId: world.accounts.own.accountId });
    case 'reseller':
      return tokenFor({ groups: ['reseller'], resellerId: 'res-matrix-own' });
  }
}

async function offlineRequestFile(accountId: string) {
  const identity = await generateIdentityKeys();
  const request = {
    activationKey: await newActivationKey(accountId, { allocation: { ivr: 1 } }),
    publicKey: identity.publicJwk,
    installation: { suiteVersion: '2025.2', nodes: ['air-gapped-1'] },
    createdAt: new Date().toISOString(),
  };
  const signature = sign(null, Buffer.from(canonicalJson(request)), identity.privateKey).toString('base64url');
  return { request, signature, keyid: identity.thumbprint };
}

async function invitedUser(accountId: string): Promise<string> {
  const res = await call('POST', `${api()}/v1/accounts/${accountId}/users`, {
    token: tokenFor({ groups: ['backoffice'] }),
    body: { email: `matrix-${randomUUID()}@example.com` },
  });
  if (res.status !== 201) throw new Error(`invitation refused: ${res.text}`);
  return res.json.userId as string;
}

/** A valid request for the route against the target account, so only authorisation can refuse it. */
async function requestFor(route: RouteSpec, target: Target): Promise<{ path: string; body?: unknown }> {
  const { accountId, installationId, findingId } = world.accounts[target];
  // A user of the target account for each removal, invited by the back office.
  const userId = operationNameOf(route) === 'removeAccountUser' ? await invitedUser(accountId) : 'none';
  // A fresh installation of the target account for each deactivation, so the others stay active.
  const managedInstallationId =
    operationNameOf(route) === 'deactivateAccountInstallation'
      ? (await activatedAgent(accountId, { allocation: { ivr: 1 } })).agent.keyid
      : installationId;
  const path = route.path
    .replace('{userId}', userId)
    .replace('{installationId}', managedInstallationId)
    .replace('{accountId}', accountId)
    .replace('{id}', installationId)
    .replace('{findingId}', findingId)
    .replace('{orderId}', `matrix-${randomUUID()}`)
    // version 1 is always there; 999 never is: consenting to it gets 404 once authorised, and nothing is written
    .replace('{version}', operationNameOf(route) === 'listTermsConsents' ? '1' : '999')
    .replace('{resellerId}', target === 'own' ? 'res-matrix-own' : 'res-matrix-other')
    // revoking a client nobody created changes nothing (204)
    .replace('{clientId}', 'matrixnoclient')
    // revoking a key the account does not have changes nothing either (204)
    .replace('{keyId}', 'akey_matrixnone')
    // an advisory table that says nothing, and an account's setting at the rule's default
    .replace('{ruleId}', route.path.includes('/advisories/') ? 'suite-outdated' : 'dns-single');
  switch (operationNameOf(route)) {
    case 'putOrder':
    case 'previewOrder':
      return { path, body: { account: { id: accountId }, lines: [perpetual('ivr', 1)] } };
    case 'listRecentOrders':
      return { path: `${path}?since=2026-01-01` };
    case 'searchAccounts':
      return { path: `${path}?q=matrix` };
    case 'createActivationKey':
      return { path, body: { allocation: { ivr: 1 } } };
    case 'offlineActivation':
      return { path, body: await offlineRequestFile(accountId) };
    case 'setTelemetry':
      return { path, body: { enabled: true } };
    case 'setStaleRelease':
      return { path, body: { enabled: false, afterDays: 60 } };
    case 'setTelemetryInterval':
      return { path, body: { seconds: 300 } };
    case 'putRuleSetting':
      return { path, body: { minServers: 2 } };
    case 'putAdvisoryTable':
      return { path, body: { knownIssues: [], oldestSupported: null } };
    case 'changeAllocation':
      // the allocation it holds: allowed callers get 200 without taking capacity
      return { path, body: { allocation: { ivr: 1 } } };
    case 'acknowledgeFinding':
      return { path, body: { note: 'matrix check' } };
    case 'inviteAccountUser':
      return { path, body: { email: `matrix-${randomUUID()}@example.com` } };
    case 'createAccount':
      return { path, body: { name: 'Matrix sign-up', region: 'eu', country: 'DE' } };
    case 'applyReseller':
      return { path, body: { companyName: 'Matrix partner', country: 'DE' } };
    case 'createMachineClient':
      return { path, body: { name: 'Matrix ERP', scopes: ['accounts:read'] } };
    case 'setAccountReseller':
      return { path, body: { resellerId: 'res-matrix-own' } };
    case 'setPresence':
      return { path, body: { enabled: true } };
    case 'publishTerms':
      // an effective date in the past: the back office reaches the validation (400), and nothing is published
      return { path, body: { title: 'Matrix', text: 'x', summary: 'x', effectiveAt: '2020-01-01T00:00:00Z' } };
    case 'objectToTerms':
      return { path, body: { reason: 'matrix check' } };
    case 'closeAccount':
      // not the account's name: the authorised reach the confirmation (400), and the accounts stay open
      return { path, body: { confirmName: 'not the account name' } };
    case 'connectPresenceTenant':
      // Presence is on for both accounts (beforeAll): the allowed get the authorize URL
      return { path, body: { returnTo: `${api()}/` } };
    case 'completePresenceConnection':
      // an unknown state: the browser is sent back to the portal, which answers
      return { path: `${path}?state=${randomUUID()}${randomUUID()}` };
    case 'receivePresenceNotifications':
    case 'receivePresenceLifecycle':
      // Graph's validation handshake: the token echoed
      return { path: `${path}?validationToken=matrix-${randomUUID()}` };
    default:
      return { path };
  }
}

/**
 * The sign-up routes' answers, for the data the matrix has: a customer that already has an account
 * creating one (409), staff and resellers refused (403), no reseller application of the caller (404).
 */
function passedAuthorisation(fn: ApiOperationName, caller: Caller) {
  if (caller === 'anonymous') return undefined;
  if (fn === 'createAccount' || fn === 'applyReseller')
    return caller === 'customer'
      ? { status: 409, type: expect.stringContaining('conflict') }
      : { status: 403, type: expect.stringContaining('forbidden') };
  if (fn === 'getResellerApplication') return { status: 404, type: expect.stringContaining('not-found') };
  return undefined;
}

/** Puts the account's reseller back after an allowed removal, so later routes still see it act. */
async function restoreReseller(path: string): Promise<void> {
  const accountId = /\/v1\/accounts\/([^/]+)\/reseller/.exec(path)![1]!;
  const resellerId = accountId === world.accounts.own.accountId ? 'res-matrix-own' : 'res-matrix-other';
  const documents = DynamoDBDocumentClient.from(localDynamoDb(cloud().regions.eu.endpoints.dynamodb));
  const table = Object.entries(cloud().regions.eu.resources).find(([id]) => id.startsWith('LicensingTable'))![1];
  try {
    await documents.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: `ACC#${accountId}`, sk: 'META' },
        UpdateExpression: 'SET resellerId = :r',
        ExpressionAttributeValues: { ':r': resellerId },
      }),
    );
    await documents.send(
      new PutCommand({
        TableName: table,
        Item: {
          pk: `RES#${resellerId}`,
          sk: `ACC#${accountId}`,
          type: 'reseller-customer',
          accountId,
          name: 'x',
          region: 'eu',
        },
      }),
    );
  } finally {
    documents.destroy();
  }
}

const callers: Caller[] = ['anonymous', 'backoffice', 'support', 'customer', 'reseller'];
const targets: Target[] = ['own', 'other'];

beforeAll(async () => {
  const [own, other, unresold] = await Promise.all([
    accountWithFinding('res-matrix-own'),
    accountWithFinding('res-matrix-other'),
    accountWithFinding(),
  ]);
  world.accounts = { own, other, unresold };
  for (const { accountId } of [own, other]) {
    const on = await call('PATCH', `${api()}/v1/accounts/${accountId}/presence`, {
      token: tokenFor({ groups: ['backoffice'] }),
      body: { enabled: true },
    });
    if (on.status !== 200) throw new Error(`presence on: ${on.status} ${on.text}`);
  }
});

describe('the route table', () => {
  it('gives every portal route a policy in this matrix', () => {
    const missing = routes
      .filter((r) => byPerson(r.auth) && !policies[operationNameOf(r)])
      .map((r) => `${r.method} ${r.path}`);

    expect(missing).toEqual([]);
  });
});

describe.each(routes.filter((r) => byPerson(r.auth)).map((r) => [`${r.method} ${r.path}`, r] as const))(
  '%s',
  (_name, route) => {
    const policy = policies[operationNameOf(route)]!;
    it.each(callers.flatMap((caller) => targets.map((target) => [caller, target] as const)))(
      'as %s on the %s account',
      async (caller, target) => {
        const { path, body } = await requestFor(route, target);

        const res: JsonResponse = await call(route.method, `${api()}${path}`, {
          token: tokenOf(caller),
          ...(body !== undefined ? { body } : {}),
        });

        const answer = passedAuthorisation(operationNameOf(route), caller);
        if (operationNameOf(route) === 'removeAccountReseller' && res.status === 204) await restoreReseller(path);
        if (caller === 'anonymous') expect(res.status).toBe(401);
        else if (answer !== undefined) expect({ status: res.status, type: res.json?.type }).toMatchObject(answer);
        else if (allowed(policy, caller, target) && operationNameOf(route) === 'closeAccount')
          expect({ status: res.status, path: res.json?.errors?.[0]?.path }).toEqual({
            status: 400,
            path: 'confirmName',
          });
        else if (allowed(policy, caller, target) && operationNameOf(route) === 'publishTerms')
          expect({ status: res.status, path: res.json?.errors?.[0]?.path }).toEqual({
            status: 400,
            path: 'effectiveAt',
          });
        else if (
          allowed(policy, caller, target) &&
          (operationNameOf(route) === 'acceptTerms' || operationNameOf(route) === 'objectToTerms')
        )
          expect({ status: res.status, detail: res.json?.detail }).toEqual({
            status: 404,
            detail: 'Terms version 999 does not exist.',
          });
        else if (allowed(policy, caller, target))
          expect({ status: res.status, ok: res.status < 300 }).toEqual({ status: res.status, ok: true });
        else
          expect({ status: res.status, type: res.json?.type }).toEqual({
            status: 403,
            type: expect.stringContaining('forbidden'),
          });
      },
    );
  },
);

describe.each(routes.filter((r) => !byPerson(r.auth)).map((r) => [`${r.method} ${r.path}`, r] as const))(
  '%s',
  (_name, route) => {
    it('needs no token where it is public, and an installation signature where it is an agent route', async () => {
      const { path } = await requestFor(route, 'own');
      const identity = await generateIdentityKeys();
      const body =
        operationNameOf(route) === 'activate'
          ? {
              activationKey: 'UCX-AAAAA-BBBBB-CCCCC-DDDDD',
              publicKey: identity.publicJwk,
              installation: { suiteVersion: '1', nodes: ['n'] },
            }
          : route.method === 'POST'
            ? { beats: [] }
            : undefined;

      const res = await call(route.method, `${api()}${path}`, {
        token: tokenFor({ groups: ['backoffice'] }),
        ...(body ? { body } : {}),
      });

      expect(res.status).toBe(route.auth === 'public' ? 200 : 401);
    });
  },
);

// ---- What a role-by-target grid misses (issue 17, finding 14), for every route of the table ----

/** Routes any signed-in person may call, with or without a group or an account: sign-up, the terms. */
const openToEveryPerson = (route: RouteSpec) => {
  const policy = policies[operationNameOf(route)];
  return policy === 'sign-up' || policy === 'person' || policy === 'signed-in';
};
const personRoutes = routes.filter((r) => byPerson(r.auth));
const named = (list: readonly RouteSpec[]) => list.map((r) => [`${r.method} ${r.path}`, r] as const);
const bodyOf = (body: unknown) => (body !== undefined ? { body } : {});

describe.each(named(personRoutes))('%s, for a person without a role or an account', (_name, route) => {
  it.each([
    ['no group', () => tokenFor({ groups: [], accountId: world.accounts.own.accountId })],
    ['the customer group and no account claim', () => tokenFor({ groups: ['customer'] })],
    ['the reseller group and no reseller claim', () => tokenFor({ groups: ['reseller'] })],
  ])('refuses a user with %s (403) unless the route is open to every signed-in person', async (_case, token) => {
    const { path, body } = await requestFor(route, 'own');

    const res = await call(route.method, `${api()}${path}`, { token: token(), ...bodyOf(body) });

    if (openToEveryPerson(route)) expect(res.status === 401 || res.status >= 500).toBe(false);
    else expect(res.status).toBe(403);
  });
});

describe.each(named(personRoutes.filter((r) => /\{(installationId|id)\}/.test(r.path))))(
  "%s, with the caller's own account and another account's installation",
  (_name, route) => {
    it.each(['customer', 'reseller'] as const)(
      'refuses the %s of its own account (403 or 404), and the other installation stays as it was',
      async (caller) => {
        const { own, other } = world.accounts;
        const { body } = await requestFor(route, 'own');
        // A fresh installation of the other account, so a deactivation that got through would show.
        const { agent: theirs } = await activatedAgent(other.accountId, { allocation: { ivr: 1 } });
        const path = route.path
          .replace('{accountId}', own.accountId)
          .replace('{installationId}', theirs.keyid)
          .replace('{id}', theirs.keyid)
          .replace('{findingId}', own.findingId);

        const res = await call(route.method, `${api()}${path}`, { token: tokenOf(caller), ...bodyOf(body) });
        const theirLicence = await theirs.request(api(), 'GET', `/v1/installations/${theirs.keyid}/license`);

        expect({ refused: [403, 404].includes(res.status), licence: theirLicence.status }).toEqual({
          refused: true,
          licence: 200,
        });
      },
    );
  },
);

describe.each(
  named(personRoutes.filter((r) => /\{(accountId|installationId|id)\}/.test(r.path) && !openToEveryPerson(r))),
)('%s, for a reseller on an account that has no reseller', (_name, route) => {
  it('refuses it (403)', async () => {
    const { path, body } = await requestFor(route, 'unresold');

    const res = await call(route.method, `${api()}${path}`, { token: tokenOf('reseller'), ...bodyOf(body) });

    expect({ status: res.status, type: res.json?.type }).toEqual({
      status: 403,
      type: expect.stringContaining('forbidden'),
    });
  });
});

describe.each(named(personRoutes.filter((r) => r.method === 'GET' && r.path.endsWith('/findings'))))(
  "%s: the findings without support's notes for customers and resellers",
  (_name, route) => {
    const note = `matrix-support-note-${randomUUID()}`;

    beforeAll(async () => {
      const { installationId, findingId } = world.accounts.own;
      const ack = await call(
        'POST',
        `${api()}/v1/installations/${installationId}/findings/${findingId}/acknowledgements`,
        {
          token: tokenOf('support'),
          body: { note },
        },
      );
      if (ack.status >= 300) throw new Error(`acknowledgement refused: ${ack.status} ${ack.text}`);
    });

    it.each([
      ['customer', false],
      ['reseller', false],
      ['support', true],
    ] as const)('as %s: the finding, with the note only for staff', async (caller, seesNote) => {
      const { path } = await requestFor(route, 'own');

      const res = await call(route.method, `${api()}${path}`, { token: tokenOf(caller) });

      expect({
        status: res.status,
        finding: JSON.stringify(res.json).includes(world.accounts.own.findingId),
        note: res.text.includes(note),
      }).toEqual({ status: 200, finding: true, note: seesNote });
    });
  },
);

describe("installation A's valid signature on installation B's path", () => {
  let a: TestAgent;
  let b: TestAgent;

  beforeAll(async () => {
    [{ agent: a }, { agent: b }] = await Promise.all([
      activatedAgent(world.accounts.own.accountId, { allocation: { ivr: 1 } }),
      activatedAgent(world.accounts.own.accountId, { allocation: { ivr: 1 } }),
    ]);
  });

  it.each(named(routes.filter((r) => r.auth === 'agent' && r.path.includes('{id}'))))(
    '%s: refused (401) under either keyid, and B stays as it was',
    async (_name, route) => {
      const path = route.path.replace('{id}', b.keyid);
      const body = route.method === 'POST' ? { beats: [] } : undefined;

      const asItself = await a.request(api(), route.method, path, body);
      const claimingB = await b.request(api(), route.method, path, body, { signWith: a.privateKey });
      const bLicence = await b.request(api(), 'GET', `/v1/installations/${b.keyid}/license`);

      expect([asItself.status, claimingB.status, bLicence.status]).toEqual([401, 401, 200]);
    },
  );
});
