/**
 * The `ucx-agent` commands, as functions of parsed options (so tests drive them in-process):
 * activate (online, offline request, offline response), poll, run, status, deactivate,
 * telemetry-once, presence.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultCycleSeconds } from '../../lambdas/core/telemetry/cadence';
import { linuxCollectors } from '../collectors/linux';
import { loadSources } from '../collectors/pluggable';
import type { Collector } from '../collectors/types';
import { UcxAgent, deactivatedMessage, type AgentStatus, type ProductStatus } from '../sdk/agent';
import { AgentStateError, CloudError, LicenseRejectedError, UnreachableError } from '../sdk/errors';
import { ensurePrivateDir, loadIdentity, loadOrCreateIdentity } from '../sdk/identity';
import { AgentFileError, offlineResponseSchema, readJsonFile } from '../sdk/files';
import { DEFAULT_SPOOL_MAX_BYTES, DiskSpool } from '../sdk/spool';
import { FileStateStore } from '../sdk/state';
import { redactProxy } from '../sdk/transport';
import { PresenceUsersError } from '../sdk/presence';
import { presenceCommand, readUsersFile } from './presence';

export const USAGE = `ucx-agent: the UCX Suite's cloud agent (licensing, telemetry and presence)

usage: ucx-agent <command> [options]

commands
  activate --key-file FILE [--endpoint URL]  activate online (makes the installation key on first use); the key
                                           from FILE, or from standard input (--key -, or piped); --key KEY
                                           works but shows the key to ps and the shell's history
  activate --offline-request FILE --key KEY  write a signed request file for an air-gapped site
  activate --offline-response FILE         install the licence from the portal's response file
  poll                                     poll the licence once (200 / 304)
  run                                      poll and send telemetry until stopped (Ctrl-C)
  telemetry-once                           collect and send one telemetry cycle
  status [--json]                          activation, region, products, terms, last poll, grace left
  deactivate                               give the licences back and stop being cloud connected
  presence --users FILE [--once | --http]  watch the Teams presence of the users FILE lists (one UPN a line,
                                           # comments; at most 10,000): one line per change until Ctrl-C

options
  --state-dir DIR        default ~/.ucx-agent (or UCX_AGENT_STATE_DIR); the key file lives there, mode 0600
  --endpoint URL         the home region's API, e.g. https://eu.api.ucx-cloud.example
  --fallback-endpoint URL  the other region's API, polled when home does not answer (default: from activation)
  --proxy URL            http://user:pass@host:port (default HTTPS_PROXY / HTTP_PROXY, NO_PROXY honoured)
  --suite-version V      reported at activation (default UCX_SUITE_VERSION or "unknown")
  --node NAME            a suite node, repeatable (default this host's name)
  --sources FILE         pluggable telemetry sources (default <state-dir>/sources.json)
  --no-system            do not read the Linux system (pluggable sources only)
  --spool-max-bytes N    bound of the telemetry spool (default ${DEFAULT_SPOOL_MAX_BYTES})
  --presence-endpoint URL  the home region's Presence endpoint, wss://… (default UCX_PRESENCE_ENDPOINT, else the state's)
  --once                 presence: print the snapshot and exit
  --http                 presence: the snapshot over HTTP (POST …/presence/snapshot), for a proxy without WebSockets
`;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  /** `run` stops when it aborts */
  signal?: AbortSignal;
  /** standard input, whole (the activation key, piped or `--key -`) */
  readStdin?: () => Promise<string>;
  /** standard input is a terminal: nothing is piped */
  stdinIsTTY?: boolean;
}

const options = {
  'state-dir': { type: 'string' },
  endpoint: { type: 'string' },
  'fallback-endpoint': { type: 'string' },
  proxy: { type: 'string' },
  key: { type: 'string' },
  'key-file': { type: 'string' },
  'offline-request': { type: 'string' },
  'offline-response': { type: 'string' },
  'suite-version': { type: 'string' },
  node: { type: 'string', multiple: true },
  sources: { type: 'string' },
  'no-system': { type: 'boolean' },
  'spool-max-bytes': { type: 'string' },
  'presence-endpoint': { type: 'string' },
  users: { type: 'string' },
  once: { type: 'boolean' },
  http: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type CommandLine = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true; strict: true }>>;
type Parsed = CommandLine['values'];

function agentFor(values: Parsed, io: CliIo, createIdentity: boolean) {
  const stateDir = resolve(values['state-dir'] ?? io.env['UCX_AGENT_STATE_DIR'] ?? join(homedir(), '.ucx-agent'));
  ensurePrivateDir(stateDir);
  const keyFile = join(stateDir, 'identity.key');
  const collectors: Collector[] = [
    ...(values['no-system'] ? [] : linuxCollectors),
    ...loadSources(values.sources ?? join(stateDir, 'sources.json')),
  ];
  return {
    stateDir,
    make: async () =>
      new UcxAgent({
        identity: createIdentity ? await loadOrCreateIdentity(keyFile) : await loadIdentity(keyFile),
        state: new FileStateStore(join(stateDir, 'state.json')),
        spool: new DiskSpool(
          join(stateDir, 'spool'),
          Number(values['spool-max-bytes'] ?? DEFAULT_SPOOL_MAX_BYTES),
          (m) => io.err(m),
        ),
        collectors,
        endpoint: values.endpoint ?? io.env['UCX_ENDPOINT'],
        endpoints: { fallback: values['fallback-endpoint'] ?? io.env['UCX_FALLBACK_ENDPOINT'] },
        ...presenceEndpointOf(values, io.env),
        transport: { proxy: values.proxy },
        log: (m) => io.err(m),
      }),
  };
}

/**
 * The activation key: from `--key-file`, from standard input (`--key -`, or piped with no `--key`),
 * else `--key` itself, which `ps` and the shell's history show: it is warned about.
 */
async function activationKeyOf(values: Parsed, io: CliIo): Promise<string | undefined> {
  const keyFile = values['key-file'];
  if (keyFile !== undefined) {
    const key = readFileSync(keyFile, 'utf8').trim();
    if (!key) throw new AgentFileError(keyFile, 'empty: it should hold the activation key');
    return key;
  }
  const piped = values.key === undefined && io.stdinIsTTY === false;
  if ((values.key === '-' || piped) && io.readStdin) {
    const key = (await io.readStdin()).trim();
    if (!key && values.key === '-')
      throw new AgentFileError('standard input', 'empty: it should hold the activation key');
    return key || undefined;
  }
  if (values.key !== undefined && values.key !== '-')
    io.err(
      'warning: --key shows the activation key to ps and the shell history: prefer --key-file FILE or standard input',
    );
  return values.key === '-' ? undefined : values.key;
}

/** `--presence-endpoint`, else `UCX_PRESENCE_ENDPOINT`; the agent falls back on the state's. */
function presenceEndpointOf(values: Parsed, env: NodeJS.ProcessEnv): { presenceEndpoint?: string } {
  const endpoint = values['presence-endpoint'] ?? env['UCX_PRESENCE_ENDPOINT'];
  return endpoint ? { presenceEndpoint: endpoint } : {};
}

const facts = (values: Parsed, env: NodeJS.ProcessEnv) => ({
  suiteVersion: values['suite-version'] ?? env['UCX_SUITE_VERSION'] ?? 'unknown',
  nodes: values.node?.length ? values.node : [hostname()],
});

const day = (iso?: string) => (iso ? iso.slice(0, 10) : '-');

function duration(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return d > 0 ? `${d} d ${h} h` : `${h} h ${m} min`;
}

/** Care as a reseller reads it: level and end, or that it lapsed. */
function careText(p: ProductStatus): string | undefined {
  if (p.careLapsed) return `Care lapsed (${p.careLapsed.level} until ${day(p.careLapsed.expiresAt)})`;
  if (p.care) return `Care ${p.care.level} until ${day(p.care.expiresAt)}`;
  return p.kind === 'perpetual' ? 'no Care' : undefined;
}

/** The entitlements behind a product's capacity: `5 perpetual; 3 subscription 2026-01-01 → 2026-06-30`. */
function termsText(terms: NonNullable<ProductStatus['terms']>): string {
  return terms
    .map((t) => {
      const span = t.endsAt ? ` ${day(t.startsAt)} → ${day(t.endsAt)}` : t.startsAt ? ` from ${day(t.startsAt)}` : '';
      return `${t.quantity} ${t.kind}${span}`;
    })
    .join('; ');
}

export function formatStatus(s: AgentStatus): string[] {
  if (!s.activated) {
    const lines = ['activated: no'];
    if (s.deactivatedInCloud)
      lines.push(
        `deactivated in the cloud at ${s.deactivatedInCloud.at}: activate again with a new key (installation ${s.deactivatedInCloud.installationId}, its licence removed)`,
      );
    if (s.pendingOffline)
      lines.push(
        `offline request written ${s.pendingOffline.createdAt} to ${s.pendingOffline.file}: import its response with activate --offline-response`,
      );
    if (s.lastPoll) lines.push(`last poll: ${s.lastPoll.at} ${s.lastPoll.outcome}`);
    return lines;
  }
  const lines = [
    `activated: yes${s.activatedOffline ? ' (offline)' : ''}`,
    `installation: ${s.installationId}`,
    `account: ${s.accountId}`,
    `region: ${s.region}${s.endpoint ? ` (${s.endpoint})` : ''}`,
    `other region: ${s.fallbackEndpoint ?? 'none known (polls go to the home region only)'}`,
  ];
  if (s.lastReached)
    lines.push(
      s.lastReached.via === 'home'
        ? `last reached: home region at ${s.lastReached.at}`
        : `last reached: the other region (${s.lastReached.endpoint}) at ${s.lastReached.at}: the home region did not answer; telemetry waits in the spool for it`,
    );
  if (s.licence?.valid) {
    lines.push(
      `licence: valid, version ${s.licence.version}, issued ${s.licence.issuedAt}, good offline until ${s.licence.expiresAt}`,
    );
    lines.push(`grace left: ${duration(s.licence.graceLeftSeconds)}`);
    lines.push('products:');
    for (const p of s.licence.products) {
      const kind = p.kind === 'subscription' ? `subscription until ${day(p.expiresAt)}` : 'perpetual';
      const care = careText(p);
      lines.push(
        `  ${p.product.padEnd(18)} capacity ${String(p.capacity).padStart(5)}  ${kind}${care ? `, ${care}` : ''}`,
      );
      if (p.terms?.length) lines.push(`    terms: ${termsText(p.terms)}`);
      if (p.shortfall)
        lines.push(
          `    shortfall: ${p.shortfall.quantity} allocated beyond capacity; allocations are reduced at ${p.shortfall.enforcedAt}`,
        );
    }
  } else if (s.licence) {
    lines.push(`licence: REFUSED (${s.licence.reason}): ${s.licence.message}`);
  }
  lines.push(
    `telemetry: ${s.telemetryEnabled === false ? 'off' : `on, sent every ${Math.round((s.telemetryIntervalSeconds ?? defaultCycleSeconds) / 60)} min`}`,
  );
  lines.push(`last poll: ${s.lastPoll ? `${s.lastPoll.at} ${s.lastPoll.outcome}` : 'never'}`);
  lines.push(`last successful contact: ${s.lastGoodPollAt ?? 'never'}`);
  if (s.lastTelemetry) lines.push(`last telemetry: ${s.lastTelemetry.at} ${s.lastTelemetry.outcome}`);
  lines.push(`spool: ${s.spool.beats} beats, ${s.spool.bytes} bytes, ${s.spool.dropped} dropped to respect its bound`);
  if (s.signingKeys) {
    const check = s.signingKeys.lastCheck;
    lines.push(
      `signing keys: ${s.signingKeys.pinned.length} pinned; ${check ? `last check ${check.at}${check.ok ? '' : ' FAILED'}: ${check.outcome}` : 'not checked since activation'}`,
    );
  }
  return lines;
}

const COMMANDS: readonly string[] = ['activate', 'poll', 'telemetry-once', 'run', 'status', 'deactivate', 'presence'];

/** Runs one command; resolves to the process exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let parsed: CommandLine;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || !command) {
    io.out(USAGE);
    return command || values.help ? 0 : 2;
  }
  if (!COMMANDS.includes(command)) {
    io.err(`unknown command ${command}\n\n${USAGE}`);
    return 2;
  }
  let users: string[] = [];
  if (command === 'presence') {
    if (!values.users) {
      io.err('presence needs --users FILE: one user principal name a line (# for comments), at most 10,000');
      return 2;
    }
    try {
      users = readUsersFile(values.users);
    } catch (error) {
      io.err(`error: ${(error as Error).message}`);
      return 2;
    }
  }
  const needsNewIdentity = command === 'activate' && !values['offline-response'];
  let agent: UcxAgent | undefined;
  try {
    agent = await agentFor(values, io, needsNewIdentity).make();
    switch (command) {
      case 'activate': {
        if (values['offline-response']) {
          const file = readJsonFile(
            offlineResponseSchema,
            values['offline-response'],
            'an offline activation response',
          );
          const claims = await agent.importOfflineResponse(file);
          io.out(
            `activated offline: installation ${file.installationId}, licence valid until ${new Date(claims.exp * 1000).toISOString()}`,
          );
          return 0;
        }
        const key = await activationKeyOf(values, io);
        if (!key) {
          io.err(
            'activate needs the activation key: --key-file FILE, or on standard input (--key -), or --key KEY (with --offline-request FILE for an air-gapped site); or --offline-response FILE',
          );
          return 2;
        }
        if (values['offline-request']) {
          const request = await agent.offlineRequest(key, facts(values, io.env), resolve(values['offline-request']));
          writeFileSync(values['offline-request'], `${JSON.stringify(request, null, 2)}\n`);
          io.out(
            `wrote ${values['offline-request']}: upload it in the portal (or POST it to /v1/accounts/{accountId}/offline-activations), then run activate --offline-response <the file you get>`,
          );
          return 0;
        }
        const transportProxy = values.proxy;
        const claims = await agent.activate(key, facts(values, io.env));
        const s = agent.state();
        io.out(
          `activated: installation ${s.installationId}, account ${s.accountId}, region ${s.region}, ${claims.products.length} product(s)${transportProxy ? ` via proxy ${redactProxy(transportProxy)}` : ''}`,
        );
        return 0;
      }
      case 'poll': {
        const result = await agent.poll();
        const via = result.outcome !== 'deactivated' && result.via === 'fallback' ? ' from the other region' : '';
        io.out(
          result.outcome === 'updated'
            ? `licence updated: version ${result.claims.ver}${via}`
            : result.outcome === 'unchanged'
              ? `licence unchanged (304)${via}`
              : result.outcome === 'deactivated'
                ? `this installation was deactivated (410): ${deactivatedMessage(result.at)}`
                : `licence refused, the last good one is kept: ${result.error.message}`,
        );
        return result.outcome === 'refused' || result.outcome === 'deactivated' ? 1 : 0;
      }
      case 'telemetry-once': {
        await agent.currentLicense();
        const result = await agent.telemetryCycle();
        io.out(
          result
            ? `telemetry: sent ${result.sent}, accepted ${result.accepted}, rejected ${result.rejected}, spooled ${result.left}`
            : 'telemetry is switched off for this account',
        );
        return 0;
      }
      case 'run': {
        await agent.currentLicense().catch((error: unknown) => {
          if (!(error instanceof LicenseRejectedError) || error.reason !== 'expired') throw error;
          io.err(`${error.message} Polling to renew it.`);
        });
        const controller = new AbortController();
        io.signal?.addEventListener('abort', () => controller.abort(), { once: true });
        await agent.run(controller.signal, {
          onCycle: ({ poll, telemetry, error, delayMs }) =>
            io.err(
              `cycle: poll ${poll?.outcome ?? (error ? 'failed' : 'not needed (the 202 names the licence held)')}${poll && 'via' in poll && poll.via === 'fallback' ? ' at the other region' : ''}${telemetry ? `, telemetry accepted ${telemetry.accepted} spooled ${telemetry.left}` : ''}; next in ${Math.round(delayMs / 1000)} s`,
            ),
        });
        return 0;
      }
      case 'status': {
        const status = await agent.status();
        if (values.json) io.out(JSON.stringify(status, null, 2));
        else for (const line of formatStatus(status)) io.out(line);
        return status.activated && status.licence?.valid ? 0 : 3;
      }
      case 'deactivate': {
        const gone = agent.state().deactivatedInCloud;
        if (gone) {
          io.out(`already deactivated in the cloud at ${gone.at}: its licences went back to the account then`);
          return 0;
        }
        await agent.deactivate();
        io.out('deactivated: the licences went back to the account');
        return 0;
      }
      case 'presence': {
        const controller = new AbortController();
        io.signal?.addEventListener('abort', () => controller.abort(), { once: true });
        return await presenceCommand(
          agent,
          { users, once: values.once === true, http: values.http === true },
          { out: io.out, err: io.err, signal: controller.signal },
        );
      }
      default:
        io.err(`unknown command ${command}\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (
      error instanceof LicenseRejectedError ||
      error instanceof AgentStateError ||
      error instanceof AgentFileError ||
      error instanceof PresenceUsersError
    )
      io.err(`error: ${error.message}`);
    else if (error instanceof CloudError)
      io.err(`error: ${error.message}${error.problem?.errors ? ` ${JSON.stringify(error.problem.errors)}` : ''}`);
    else if (error instanceof UnreachableError) io.err(`error: ${error.message} (check --endpoint and --proxy)`);
    else io.err(`error: ${(error as Error).stack ?? String(error)}`);
    return error instanceof LicenseRejectedError ? 3 : 1;
  } finally {
    await agent?.close();
  }
}
