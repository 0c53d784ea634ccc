/**
 * Runtime configuration of every Lambda: one zod object parsed once at module load, so a missing
 * or malformed variable fails at init with its name. The CDK house function construct sets these;
 * the local cloud takes them from the synthesized template and overrides only the ones marked
 * "local override" (endpoints and key files that only exist on the laptop).
 */
import * as z from 'zod/mini';

const jsonOf = <T extends z.core.$ZodType>(schema: T) =>
  z.pipe(
    z.pipe(
      z.string(),
      z.transform((raw: string, ctx) => {
        try {
          return JSON.parse(raw) as unknown;
        } catch {
          ctx.issues.push({ code: 'custom', message: 'not JSON', input: raw });
          return z.NEVER;
        }
      }),
    ),
    schema,
  );

export const regionKeySchema = z.enum(['eu', 'us']);

export const envSchema = z.object({
  /** this function's region key */
  REGION_KEY: regionKeySchema,
  /** public API base URL per region, for 421 answers (local override) */
  REGION_ENDPOINTS: jsonOf(z.record(regionKeySchema, z.url())),
  /** licensing table (the global table) */
  TABLE_NAME: z.optional(z.string().check(z.minLength(3))),
  /** this region's current licence signing key: a KMS key ARN, or `file:<path>` of a local JWK (local override) */
  SIGNING_KEY_REF: z.optional(z.string().check(z.minLength(1))),
  /** this region's next and retiring keys (KMS alias ARNs or `file:` refs), to sign the JWKS (local override) */
  SIGNING_KEY_REFS: z.optional(jsonOf(z.array(z.string().check(z.minLength(1))))),
  /** every key of both regions' key sets (KMS key or alias ARNs, or `file:` refs), for the JWKS (local override) */
  VERIFY_KEY_REFS: z.optional(jsonOf(z.array(z.string().check(z.minLength(1))))),
  /** the region's telemetry stream */
  TELEMETRY_STREAM_NAME: z.optional(z.string().check(z.minLength(1))),
  /** the region's telemetry archive bucket */
  ARCHIVE_BUCKET: z.optional(z.string().check(z.minLength(3))),
  /** the archive's Glue database and the Athena workgroup the compaction runs in */
  TELEMETRY_DATABASE: z.optional(z.string().check(z.minLength(1))),
  ATHENA_WORKGROUP: z.optional(z.string().check(z.minLength(1))),
  /** days raw landing objects are kept (cdk.json `archive.rawDays`): the compaction works within them */
  ARCHIVE_RAW_DAYS: z._default(z.coerce.number().check(z.int(), z.gte(2)), 7),
  /** the region's support table (rules state, findings, snapshots) */
  SUPPORT_TABLE_NAME: z.optional(z.string().check(z.minLength(3))),
  /** the region's proactive-support event bus */
  EVENT_BUS_NAME: z.optional(z.string().check(z.minLength(1))),
  /** the region's vendor event bus: audit items written become licence and account events (docs/events.md) */
  VENDOR_EVENT_BUS_NAME: z.optional(z.string().check(z.minLength(1))),
  /** the account users' directory: `cognito:<user pool id>`, or `local:<users.json path>` (local override) */
  USER_DIRECTORY: z.optional(z.string().check(z.regex(/^(cognito|local):.+$/, 'cognito:<pool id> or local:<file>'))),
  /** the vendor's machine clients: `cognito:<user pool id>`, or `local:<clients.json path>` (local override) */
  MACHINE_CLIENTS: z.optional(z.string().check(z.regex(/^(cognito|local):.+$/, 'cognito:<pool id> or local:<file>'))),
  /** where a machine client gets its tokens: the pool domain's `/oauth2/token` (local override) */
  TOKEN_URL: z.optional(z.url()),
  /** the issuer whose tokens the Lambda authorizer accepts (local override: the local issuer) */
  TOKEN_ISSUER: z.optional(z.string().check(z.minLength(1))),
  /** that issuer's JWKS (local override: the local issuer's) */
  TOKEN_JWKS_URL: z.optional(z.url()),
  /** the portal's app client: the audience of a person's ID token (local override) */
  PORTAL_CLIENT_ID: z.optional(z.string().check(z.minLength(1))),
  /** where e-mail goes: `ses:<configuration set>` in the cloud, `local:<outbox.jsonl path>` (local override) */
  MAILER: z.optional(z.string().check(z.regex(/^(ses|local):.+$/, 'ses:<configuration set> or local:<file>'))),
  /** the address e-mail is sent from (SES identity) */
  MAIL_FROM: z.optional(z.string().check(z.minLength(3))),
  /** path-style S3 requests (s3rver needs them; local override) */
  S3_FORCE_PATH_STYLE: z.pipe(
    z._default(z.enum(['true', 'false']), 'false'),
    z.transform((v) => v === 'true'),
  ),
  /** seconds between licence polls told to agents */
  NEXT_POLL_SECONDS: z._default(z.coerce.number().check(z.int(), z.positive()), 900),
  /** days a signed licence stays valid offline */
  LICENSE_TTL_DAYS: z._default(z.coerce.number().check(z.int(), z.positive()), 30),
  /** days an allocation the entitlements no longer cover is kept before it is taken back */
  SHORTFALL_GRACE_DAYS: z._default(z.coerce.number().check(z.int(), z.gte(0)), 30),
  /** days without a licence poll before an active installation is stale */
  STALE_AFTER_DAYS: z._default(z.coerce.number().check(z.int(), z.positive()), 30),
  /** the region's presence table (tenants, sessions, watched users' presence: personal data, home region only) */
  PRESENCE_TABLE_NAME: z.optional(z.string().check(z.minLength(3))),
  /** KMS key sealing tenants' refresh tokens, or `file:<path>` of a local AES key (local override) */
  PRESENCE_TOKEN_KEY: z.optional(z.string().check(z.minLength(1))),
  /** secret `{ id, certificate, privateKey }` Graph encrypts notification data to, or `file:<path>` (local override) */
  PRESENCE_CERTIFICATE_SECRET: z.optional(z.string().check(z.minLength(1))),
  /** secret `{ clientId, clientSecret }` of the multi-tenant Entra app, or `file:<path>` (local override) */
  PRESENCE_APP_SECRET: z.optional(z.string().check(z.minLength(1))),
  /** the Microsoft identity platform's host (local override: the stand-in) */
  MS_AUTHORITY_HOST: z._default(z.url(), 'https://login.microsoftonline.com'),
  /** Microsoft Graph's base URL (local override: the stand-in) */
  MS_GRAPH_URL: z._default(z.url(), 'https://graph.microsoft.com'),
  /** a PEM file of an extra CA the identity platform chains to (local override: the stand-in's certificate) */
  MS_IDENTITY_CA_FILE: z.optional(z.string().check(z.minLength(1))),
  /** the WebSocket API's @connections endpoint, `https://<api>.execute-api.<region>.<suffix>/v1` (local override) */
  PRESENCE_CALLBACK_URL: z.optional(z.url()),
  /** the public URLs Graph posts change and lifecycle notifications to, and the OAuth redirect URI (local override) */
  PRESENCE_NOTIFICATION_URL: z.optional(z.url()),
  PRESENCE_LIFECYCLE_URL: z.optional(z.url()),
  PRESENCE_REDIRECT_URL: z.optional(z.url()),
  /** the portal's URL (its CloudFront domain): where the browser returns after Microsoft's consent */
  PORTAL_URL: z.optional(z.url()),
  /** the fan-out queue between Graph's notifications and the suite's sessions */
  PRESENCE_FANOUT_QUEUE_URL: z.optional(z.url()),
});

export type Env = z.infer<typeof envSchema>;

let cached: Env | undefined;

/** Parses process.env once; a bad variable throws naming it. */
export function env(): Env {
  if (!cached) {
    const parsed = envSchema.safeParse(process.env);
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new Error(`invalid Lambda environment: ${detail}`);
    }
    cached = parsed.data;
  }
  return cached;
}

/** Returns a configured value or throws naming the variable (for functions that need it). */
export function required<K extends keyof Env>(key: K): NonNullable<Env[K]> {
  const value = env()[key];
  if (value === undefined || value === null) throw new Error(`invalid Lambda environment: ${key} is required`);
  return value as NonNullable<Env[K]>;
}
