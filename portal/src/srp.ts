/**
 * Cognito's SRP sign-in (USER_SRP_AUTH, then the PASSWORD_VERIFIER challenge) with native BigInt
 * and WebCrypto: the password never leaves the browser. The same arithmetic as Cognito's reference
 * client (amazon-cognito-identity-js): its 3072-bit group, g = 2, k = H(N | g), u = H(A | B),
 * x = H(salt | H(poolName userId ":" password)), and the key from HKDF ("Caldera Derived Key").
 */

const N = BigInt(
  '0xFFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF',
);
const g = 2n;

/** Even-length hex with a leading 00 when the top bit is set (a positive two's-complement number). */
function padHex(value: bigint): string {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return /^[89a-f]/i.test(hex) ? `00${hex}` : hex;
}

type Bytes = Uint8Array<ArrayBuffer>;
const bytesOfHex = (hex: string): Bytes => Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
const hexOfBytes = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const concat = (...parts: Uint8Array[]): Bytes => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};
const utf8 = (text: string): Bytes => new Uint8Array(new TextEncoder().encode(text));

async function sha256Hex(bytes: Bytes): Promise<string> {
  return hexOfBytes(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
}

async function hmacSha256(key: Bytes, data: Bytes): Promise<Bytes> {
  const imported = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', imported, data));
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = ((base % modulus) + modulus) % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

export interface SrpStart {
  /** the secret ephemeral, kept for the PASSWORD_VERIFIER answer */
  readonly a: bigint;
  /** SRP_A as Cognito takes it: A = g^a mod N in hex */
  readonly srpA: string;
}

/** A fresh ephemeral pair (1024 random bits, as the reference client); `a` fixed only by tests. */
export function srpStart(a?: bigint): SrpStart {
  let secret = a;
  if (secret === undefined) secret = BigInt(`0x${hexOfBytes(crypto.getRandomValues(new Uint8Array(128)))}`);
  return { a: secret, srpA: modPow(g, secret, N).toString(16) };
}

export interface PasswordVerifierInput {
  /** the part of the user pool id after the `_` */
  readonly poolName: string;
  /** the challenge's USER_ID_FOR_SRP */
  readonly userId: string;
  readonly password: string;
  readonly a: bigint;
  /** the challenge's SRP_B, SALT (hex) and SECRET_BLOCK (base64) */
  readonly srpB: string;
  readonly salt: string;
  readonly secretBlock: string;
  /** cognitoTimestamp(): what TIMESTAMP answers */
  readonly timestamp: string;
}

/** PASSWORD_CLAIM_SIGNATURE: HMAC-SHA256 with the derived key over poolName, userId, secret block and time. */
export async function passwordClaimSignature(input: PasswordVerifierInput): Promise<string> {
  const B = BigInt(`0x${input.srpB}`);
  if (B % N === 0n) throw new Error('The sign-in service answered an invalid SRP value.');
  const A = modPow(g, input.a, N);
  const k = BigInt(`0x${await sha256Hex(bytesOfHex(padHex(N) + padHex(g)))}`);
  const u = BigInt(`0x${await sha256Hex(bytesOfHex(padHex(A) + padHex(B)))}`);
  if (u === 0n) throw new Error('The sign-in service answered an invalid SRP value.');
  const identity = await sha256Hex(utf8(`${input.poolName}${input.userId}:${input.password}`));
  const x = BigInt(`0x${await sha256Hex(bytesOfHex(padHex(BigInt(`0x${input.salt}`)) + identity))}`);
  const S = modPow(B - k * modPow(g, x, N), input.a + u * x, N);
  // HKDF-SHA256 (RFC 5869), one block: salt u, input key S, info "Caldera Derived Key", 16 bytes.
  const prk = await hmacSha256(bytesOfHex(padHex(u)), bytesOfHex(padHex(S)));
  const key = (await hmacSha256(prk, concat(utf8('Caldera Derived Key'), Uint8Array.of(1)))).slice(0, 16);
  const secretBlock = Uint8Array.from(atob(input.secretBlock), (c) => c.charCodeAt(0));
  const signature = await hmacSha256(
    key,
    concat(utf8(input.poolName), utf8(input.userId), secretBlock, utf8(input.timestamp)),
  );
  return btoa(String.fromCharCode(...signature));
}

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Cognito's TIMESTAMP: `Ddd Mmm D HH:mm:ss UTC YYYY`, the day not padded. */
export function cognitoTimestamp(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${weekdays[at.getUTCDay()]} ${months[at.getUTCMonth()]} ${at.getUTCDate()} ${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())} UTC ${at.getUTCFullYear()}`;
}
