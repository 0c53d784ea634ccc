/**
 * Local stand-ins for the Presence Service's keys and secrets, and the variables that point a
 * function at them. One table, read twice: by local/assembly.ts for the resources' local physical
 * names (what `Ref`/`Fn::GetAtt` resolve to, and cloud.json's `resources`), and by local/cloud.ts
 * for the environment overrides of the variables that name Microsoft's endpoints. Files live in
 * `<dataDir>/keys/`, generated once (the app's credentials and the identity CA at every start,
 * from the Graph stand-in).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { selfSignedCertificate } from './graph/tls';

export const keysDir = (dataDir: string): string => join(resolve(dataDir), 'keys');

/** What the local cloud knows of the Microsoft stand-in when it builds environments. */
export interface MicrosoftStandIn {
  /** the identity platform's host (MS_AUTHORITY_HOST) */
  readonly identity: string;
  /** Graph's base URL (MS_GRAPH_URL) */
  readonly graph: string;
  /** PEM of the identity endpoints' TLS certificate */
  readonly ca: string;
  readonly app: { readonly clientId: string; readonly clientSecret: string };
}

/** A template resource that is a local file: its logical id (without CDK's hash) and its file name. */
export interface FileStandIn {
  /** the construct id the logical id starts with, e.g. `PresenceTokenKey` */
  readonly logicalIdPrefix: string;
  readonly type: 'AWS::KMS::Key' | 'AWS::SecretsManager::Secret';
  /** file name under `<dataDir>/keys/` */
  readonly file: (regionKey: string) => string;
  /** what the file holds; written when absent (`everyStart`: at every start) */
  readonly make: (standIn: MicrosoftStandIn) => unknown;
  readonly everyStart?: boolean;
  /** for local/README.md */
  readonly describe: string;
}

export const fileStandIns: readonly FileStandIn[] = [
  {
    logicalIdPrefix: 'PresenceTokenKey',
    type: 'AWS::KMS::Key',
    file: (region) => `${region}-presence-token.json`,
    make: () => ({ kty: 'oct', k: randomBytes(32).toString('base64url') }),
    describe: 'a 256-bit AES key as a JWK `{ kty: "oct", k }`',
  },
  {
    logicalIdPrefix: 'PresenceNotificationCertificate',
    type: 'AWS::SecretsManager::Secret',
    file: (region) => `${region}-presence-certificate.json`,
    make: () => {
      const { key, cert } = selfSignedCertificate('ucx-presence-notifications');
      return { id: randomUUID(), certificate: cert, privateKey: key };
    },
    describe: '`{ id, certificate, privateKey }`, a self-signed RSA-2048 certificate (openssl)',
  },
  {
    logicalIdPrefix: 'PresenceAppCredentials',
    type: 'AWS::SecretsManager::Secret',
    // One Entra app for every region, as in the cloud.
    file: () => 'presence-app.json',
    make: (standIn) => ({ clientId: standIn.app.clientId, clientSecret: standIn.app.clientSecret }),
    everyStart: true,
    describe: "`{ clientId, clientSecret }` of the Graph stand-in's app",
  },
];

/** The `file:` reference standing for a resource of the table; undefined when it is not one of them. */
export function standInRef(dataDir: string, type: string, logicalId: string, regionKey: string): string | undefined {
  const standIn = fileStandIns.find(
    (s) => s.type === type && new RegExp(`^${s.logicalIdPrefix}[0-9A-F]{8}$`).test(logicalId),
  );
  return standIn && `file:${join(keysDir(dataDir), standIn.file(regionKey))}`;
}

/** The Graph stand-in's identity certificate, for MS_IDENTITY_CA_FILE. */
export const identityCaFile = (dataDir: string): string => join(keysDir(dataDir), 'graph-identity-ca.pem');

/**
 * Variables whose local value is not the template's: set only when the template sets the
 * variable named in `when` (so a function without the need gets nothing, as in the cloud).
 */
export const environmentOverrides: readonly {
  readonly variable: string;
  readonly when: string;
  readonly value: (standIn: MicrosoftStandIn, dataDir: string) => string;
  readonly describe: string;
}[] = [
  {
    variable: 'MS_AUTHORITY_HOST',
    when: 'MS_AUTHORITY_HOST',
    value: (s) => s.identity,
    describe: "the stand-in's identity platform (https on 127.0.0.1)",
  },
  { variable: 'MS_GRAPH_URL', when: 'MS_GRAPH_URL', value: (s) => s.graph, describe: "the stand-in's Graph" },
  {
    variable: 'MS_IDENTITY_CA_FILE',
    when: 'MS_AUTHORITY_HOST',
    value: (_s, dataDir) => identityCaFile(dataDir),
    describe:
      "`<dataDir>/keys/graph-identity-ca.pem`, the stand-in's TLS certificate (a CA to trust, not a test branch)",
  },
];

/** Writes every stand-in file of every region that is missing (or due at every start), and the identity CA. */
export function ensureStandIns(dataDir: string, regionKeys: readonly string[], standIn: MicrosoftStandIn): void {
  mkdirSync(keysDir(dataDir), { recursive: true });
  for (const entry of fileStandIns) {
    for (const file of new Set(regionKeys.map((region) => join(keysDir(dataDir), entry.file(region))))) {
      if (existsSync(file) && !entry.everyStart) continue;
      writeFileSync(file, `${JSON.stringify(entry.make(standIn), null, 2)}\n`, { mode: 0o600 });
    }
  }
  writeFileSync(identityCaFile(dataDir), standIn.ca);
}
