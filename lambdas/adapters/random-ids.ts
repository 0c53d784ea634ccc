/** Ids and activation keys from the system's CSPRNG. */
import { randomBytes } from 'node:crypto';
import type { IdGenerator } from '../core/ports';

/** Crockford-style base32 without look-alikes (no I, L, O, U), so keys survive being read aloud. */
const KEY_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

function randomString(length: number, alphabet: string): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i]! & 31];
  return out;
}

export const randomIds: IdGenerator = {
  /** 16 base32 characters: 80 bits */
  id: (prefix) => `${prefix}${randomString(16, ID_ALPHABET)}`,
  /** UCX-XXXXX-XXXXX-XXXXX-XXXXX: 100 bits */
  secret: () => `UCX-${[0, 1, 2, 3].map(() => randomString(5, KEY_ALPHABET)).join('-')}`,
};
