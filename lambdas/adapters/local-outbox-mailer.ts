/**
 * The local cloud's mail: one JSON line per message appended to `<dataDir>/auth/outbox.jsonl`, the
 * file local/auth-flows.ts serves at `GET /local/outbox` (selected by `MAILER=local:<path>`).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Mailer } from '../core/accounts/terms';

export class LocalOutboxMailer implements Mailer {
  constructor(private readonly file: string) {}

  async send(message: { to: string; subject: string; text: string }): Promise<void> {
    mkdirSync(dirname(this.file), { recursive: true });
    appendFileSync(this.file, `${JSON.stringify({ at: new Date().toISOString(), ...message })}\n`);
  }
}
