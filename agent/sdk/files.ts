/**
 * The shapes of the files the agent reads (its state, spooled beats, the offline response file)
 * as zod schemas, and one reader that names the file and the failing field when one does not fit:
 * a corrupt or hand-edited file stops with a message saying which, never a cast that fails later.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import type { AgentState } from './state';
import type { BeatToSend, Jwks } from './types';

/** A file the agent reads is not what it expects. */
export class AgentFileError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'AgentFileError';
  }
}

const jwksSchema: z.ZodType<Jwks> = z.object({ keys: z.array(z.record(z.string(), z.unknown())) });
const region = z.enum(['eu', 'us']);
const at = z.string();
const care = z.object({ level: z.enum(['basic', 'gold', 'platinum']), expiresAt: z.string() });

/** The state file; fields it does not know are kept (a newer agent may have written them). */
export const agentStateSchema: z.ZodType<AgentState> = z
  .object({
    installationId: z.string().optional(),
    accountId: z.string().optional(),
    region: region.optional(),
    endpoint: z.string().optional(),
    fallbackEndpoint: z.string().optional(),
    presenceEndpoint: z.string().optional(),
    homeRedirect: z.object({ from: z.string(), to: z.string(), at }).optional(),
    lastReached: z.object({ at, via: z.enum(['home', 'fallback']), endpoint: z.string() }).optional(),
    deactivatedInCloud: z.object({ at, installationId: z.string() }).optional(),
    careSeen: z.record(z.string(), care).optional(),
    jwks: jwksSchema.optional(),
    jwksIssuedAt: z.number().optional(),
    jwksCheck: z.object({ at, ok: z.boolean(), outcome: z.string() }).optional(),
    license: z.string().optional(),
    etag: z.string().optional(),
    nextPollSeconds: z.number().optional(),
    intervalSeconds: z.number().optional(),
    telemetryEnabled: z.boolean().optional(),
    activatedAt: z.string().optional(),
    activatedOffline: z.boolean().optional(),
    lastPoll: z.object({ at, outcome: z.string() }).optional(),
    lastGoodPollAt: z.string().optional(),
    consecutiveFailures: z.number().optional(),
    inventorySent: z.record(z.string(), z.object({ hash: z.string(), at })).optional(),
    lastTelemetry: z.object({ at, outcome: z.string() }).optional(),
    pendingOffline: z.object({ createdAt: z.string(), file: z.string() }).optional(),
  })
  .loose();

export const beatToSendSchema: z.ZodType<BeatToSend> = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  collectedAt: z.string(),
  data: z.record(z.string(), z.unknown()),
});

/** The portal's offline activation response file (docs/agent.md, "Offline activation"). */
export const offlineResponseSchema = z.object({
  installationId: z.string().min(1),
  accountId: z.string().min(1),
  region,
  license: z.string().min(1),
  jwks: jwksSchema,
  nextPollSeconds: z.number().int().positive(),
  telemetry: z.object({ enabled: z.boolean() }),
  endpoints: z.unknown().optional(),
});

/** `path: message` of the first issue, e.g. `sources.0.file: expected string`. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'does not fit';
  return `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`;
}

/** Parses JSON text as `schema`; a failure names `file` and the failing field. */
export function parseJsonAs<T>(schema: z.ZodType<T>, text: string, file: string, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AgentFileError(file, `not ${what}: not JSON (${(error as Error).message})`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new AgentFileError(file, `not ${what}: ${firstIssue(parsed.error)}`);
  return parsed.data;
}

/** Reads and parses a file (see `parseJsonAs`). */
export function readJsonFile<T>(schema: z.ZodType<T>, file: string, what: string): T {
  return parseJsonAs(schema, readFileSync(file, 'utf8'), file, what);
}
