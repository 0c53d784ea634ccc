/**
 * The local cloud's machine clients: `<dataDir>/auth/clients.json`, secrets scrypt-hashed, read by
 * the local token endpoint (local/machine-tokens.ts, which repeats this format) as Cognito's
 * `/oauth2/token` reads its clients.
 */
import { randomBytes, scryptSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MachineClientIssuer, MachineScope } from '../core/accounts/machine-clients';

export interface LocalMachineClient {
  readonly clientId: string;
  readonly name: string;
  readonly scopes: readonly MachineScope[];
  /** `scrypt:<salt hex>:<hash hex>` */
  readonly secretHash: string;
  readonly revoked?: boolean;
}

const hash = (secret: string, salt: Buffer) => scryptSync(secret, salt, 32);

export function readLocalMachineClients(file: string): LocalMachineClient[] {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as LocalMachineClient[]) : [];
}

export class LocalMachineClients implements MachineClientIssuer {
  constructor(private readonly file: string) {}

  private write(clients: LocalMachineClient[]): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(clients, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.file);
  }

  async create(name: string, scopes: readonly MachineScope[]): Promise<{ clientId: string; clientSecret: string }> {
    // Shaped like Cognito's: a 26-character id, a long random secret.
    const clientId = randomBytes(13).toString('hex').slice(0, 26);
    const clientSecret = randomBytes(32).toString('base64url');
    const salt = randomBytes(16);
    const secretHash = `scrypt:${salt.toString('hex')}:${hash(clientSecret, salt).toString('hex')}`;
    this.write([...readLocalMachineClients(this.file), { clientId, name, scopes, secretHash }]);
    return { clientId, clientSecret };
  }

  async revoke(clientId: string): Promise<void> {
    const clients = readLocalMachineClients(this.file);
    if (!clients.some((c) => c.clientId === clientId && !c.revoked)) return;
    this.write(clients.map((c) => (c.clientId === clientId ? { ...c, revoked: true } : c)));
  }
}
