/**
 * Who did something, in words a person reads: a customer's e-mail, "back office", "agent of
 * installation …". Resolved when read, from the account's user index: the audit trail keeps only
 * opaque ids (an e-mail is personal data that changes and is erased; the id is neither).
 */
import type { Actor } from './model';

/** The account's people as the user index has them now (one Query). */
export interface AccountPeople {
  listByAccount(accountId: string): Promise<readonly { readonly userId: string; readonly email: string }[]>;
}

export type ActorNamer = (actor: Actor) => string;

/** A namer for one account's actors: one read of its people, however many events it names. */
export async function actorNamer(people: AccountPeople | undefined, accountId: string): Promise<ActorNamer> {
  const emails = new Map((people ? await people.listByAccount(accountId) : []).map((u) => [u.userId, u.email]));
  return (actor) => {
    switch (actor.kind) {
      case 'customer':
        return emails.get(actor.id) ?? 'a person no longer with this account';
      case 'backoffice':
        return 'back office';
      case 'support':
        return 'support';
      case 'reseller':
        return 'the reseller';
      case 'installation':
        return `agent of installation ${actor.id}`;
      case 'system':
        return 'the service';
    }
  };
}
