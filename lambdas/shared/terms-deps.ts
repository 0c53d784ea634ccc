/** Composition root of the terms handlers and job: the terms store, the mailer from MAILER, the user directory. */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { licensingTableClient } from '../adapters/licensing-table-client';
import { DynamoDbTermsStore } from '../adapters/dynamodb-terms-store';
import { LocalOutboxMailer } from '../adapters/local-outbox-mailer';
import { randomIds } from '../adapters/random-ids';
import { SesMailer } from '../adapters/ses-mailer';
import type { Mailer, TermsDeps, TermsJobDeps } from '../core/accounts/terms';
import { systemClock } from '../core/ports';
import { env, required } from './env';
import { licensingDeps } from './licensing-deps';
import { logger, traced } from './powertools';
import { userDirectory } from './user-directory';

let deps: TermsDeps | undefined;

export function termsDeps(): TermsDeps {
  deps ??= {
    terms: new DynamoDbTermsStore(licensingTableClient(), required('TABLE_NAME')),
    repo: licensingDeps().repo,
    clock: systemClock,
    ids: randomIds,
  };
  return deps;
}

/** `ses:<configuration set>` (with MAIL_FROM) in the cloud, `local:<outbox.jsonl>` locally. */
export function mailerFrom(ref: string): Mailer {
  const [kind, ...rest] = ref.split(':');
  const target = rest.join(':');
  if (kind === 'ses' && target) return new SesMailer(traced(new SESv2Client({})), target, required('MAIL_FROM'));
  if (kind === 'local' && target) return new LocalOutboxMailer(target);
  throw new Error(`invalid Lambda environment: MAILER must be ses:<configuration set> or local:<file>, not ${ref}`);
}

export function termsJobDeps(): TermsJobDeps {
  const e = env();
  return {
    ...termsDeps(),
    directory: userDirectory(required('USER_DIRECTORY')),
    mailer: mailerFrom(required('MAILER')),
    log: { warn: (message, details) => logger.warn(message, details) },
    here: e.REGION_KEY,
    ...(e.PORTAL_URL && { portalUrl: e.PORTAL_URL }),
  };
}

/** The signed-in person's e-mail from their verified ID token (Cognito's `email` claim), if it carries one. */
export function emailClaimOf(event: { requestContext: unknown }): string | undefined {
  const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } }).authorizer
    ?.jwt?.claims;
  const email = claims?.['email'];
  return typeof email === 'string' && email.length <= 254 ? email : undefined;
}
