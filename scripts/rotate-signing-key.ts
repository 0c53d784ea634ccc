/**
 * `npm run rotate-signing-key -- [--step introduce|promote|drop] [--data-dir .local] [--status]`:
 * one step of a licence-signing key rotation on the local cloud (local/keys.ts), through the
 * running cloud when there is one (it restarts the functions that read keys), else on the key
 * files for the next start. Prints what it did and what agents need (docs/licensing.md, "Key
 * rotation").
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { CloudInfo } from '../local/cloud';
import {
  describeSigningKeys,
  ensureSigningKeys,
  rotateSigningKeys,
  rotationSteps,
  type RotationResult,
  type RotationStep,
  type SigningKeyView,
} from '../local/keys';
import { findRepoRoot } from '../local/repo-root';

const usage = 'npm run rotate-signing-key -- [--step introduce|promote|drop] [--data-dir .local] [--status]';
const { values } = parseArgs({
  options: {
    step: { type: 'string' },
    'data-dir': { type: 'string', default: '.local' },
    status: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(usage);
  process.exit(0);
}

const describe = (keys: readonly SigningKeyView[]) =>
  keys.map((k) => `  ${k.slot.padEnd(8)} ${k.id.padEnd(14)} eu kid ${k.kids.eu}  us kid ${k.kids.us}`).join('\n');

/** The cloud's timings from cdk.json, so the advice names real numbers. */
function timings(repoRoot: string): { pollSeconds: number; ttlDays: number } {
  const context = (JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as { context?: { ucx?: unknown } })
    .context?.ucx as { nextPollSeconds?: number; licenseTtlDays?: number } | undefined;
  return { pollSeconds: context?.nextPollSeconds ?? 900, ttlDays: context?.licenseTtlDays ?? 30 };
}

function advice(result: RotationResult, t: { pollSeconds: number; ttlDays: number }): string[] {
  const ids = result.keyIds.join(', ');
  const current = result.after.find((k) => k.slot === 'current')?.id;
  switch (result.step) {
    case 'introduce':
      return [
        `introduced ${ids} as next: published in the JWKS, signing nothing yet.`,
        `Agents learn it from the JWKS signed by ${current} (they check it daily, and whenever a licence names a key they have not pinned).`,
        `Promote it (run this again) once every agent has had the chance: in the cloud, at least a poll interval plus a licence TTL (${t.pollSeconds} s + ${t.ttlDays} days); locally, when you like.`,
      ];
    case 'promote':
      return [
        `promoted ${ids}: it signs every new licence and the JWKS; ${result.after
          .filter((k) => k.slot === 'retiring')
          .map((k) => k.id)
          .join(', ')} retire(s).`,
        'Retiring keys stay published: licences they signed keep verifying, and an agent that pinned only a retiring key gets a JWKS signed by it (?kid=).',
        `Drop them (run this again) once every licence they signed has expired: a licence TTL (${t.ttlDays} days) after this step.`,
      ];
    case 'drop':
      return [
        `dropped ${ids}: gone from the JWKS, key files deleted.`,
        'Agents unpin it at their next JWKS check; a licence it signed no longer verifies.',
      ];
  }
}

async function runningCloud(dataDir: string): Promise<string | undefined> {
  const file = join(dataDir, 'cloud.json');
  if (!existsSync(file)) return undefined;
  const api = (JSON.parse(readFileSync(file, 'utf8')) as CloudInfo).regions.eu.api;
  try {
    const res = await fetch(`${api}/local/health`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? api : undefined;
  } catch {
    return undefined;
  }
}

try {
  const repoRoot = findRepoRoot();
  const dataDir = resolve(repoRoot, values['data-dir']!);
  const step = values.step as RotationStep | undefined;
  if (step !== undefined && !rotationSteps.includes(step))
    throw new Error(`--step: one of ${rotationSteps.join(', ')}, not ${step}`);
  const api = await runningCloud(dataDir);

  if (values.status) {
    await ensureSigningKeys(dataDir);
    console.log(`signing keys of ${dataDir}:\n${describe(await describeSigningKeys(dataDir))}`);
    process.exit(0);
  }

  let result: RotationResult & { restarted?: string[] };
  if (api) {
    const res = await fetch(`${api}/local/signing-keys/rotate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(step ? { step } : {}),
    });
    const body = (await res.json()) as RotationResult & { restarted: string[]; message?: string };
    if (!res.ok) throw new Error(body.message ?? `the local cloud answered ${res.status}`);
    result = body;
  } else {
    result = await rotateSigningKeys(dataDir, step ? { step } : {});
  }

  for (const line of advice(result, timings(repoRoot))) console.log(line);
  console.log(`\nsigning keys now:\n${describe(result.after)}`);
  console.log(
    api
      ? `\nthe running local cloud restarted ${result.restarted?.length ?? 0} function(s) that read signing keys.`
      : '\nno local cloud is running: the next npm start uses these keys.',
  );
} catch (error) {
  console.error(`rotate-signing-key: ${(error as Error).message}`);
  process.exit(1);
}
