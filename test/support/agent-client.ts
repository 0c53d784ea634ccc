/**
 * A signing test agent for integration tests against the local cloud. It speaks the v1 agent
 * contract through `agent/sdk/signing.ts`, and can break it on purpose (stale clock, other key,
 * missing signature, tampered body) to exercise the server's refusals.
 *
 *   const agent = await TestAgent.create();                     // keyid = thumbprint
 *   const r = await agent.request(api, 'POST', '/v1/activations', { activationKey, publicKey: agent.publicJwk, installation });
 *   agent.keyid = r.json.installationId;                       // after activation
 *   await agent.request(api, 'GET', `/v1/installations/${agent.keyid}/license`);
 */
import type { KeyObject } from 'node:crypto';
import { generateIdentityKeys, signRequest, type Ed25519PublicJwk } from '#agent/sdk/signing';
import { knownClockOffsetMs } from '#test/support/local-cloud';

export interface TestAgentRequestOptions {
  /**
   * Signing time: use it to simulate clock skew. Default: the cloud's time, i.e. now plus the
   * clock offset last read or moved by test/support/local-cloud.ts (`advanceClock`, `syncClock`).
   */
  created?: Date;
  /** Sign with this Ed25519 private key instead of the agent's own (keyid unchanged). */
  signWith?: KeyObject;
  /** Send the request without Signature / Signature-Input (Content-Digest is still sent). */
  omitSignature?: boolean;
  /** Extra headers (e.g. `if-none-match`, `content-encoding`); they are sent but not signed. */
  headers?: Record<string, string>;
  /** Sign the body, then send it with one byte more (a trailing space, so JSON stays valid). */
  tamperBody?: boolean;
}

export interface TestAgentResponse {
  status: number;
  headers: Headers;
  /** The parsed JSON body, or undefined when the body is empty or not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: the body of whichever route a test called; its expect() asserts the shape
  json: any;
  text: string;
}

export class TestAgent {
  /** The keyid requests are signed with: the thumbprint before activation, the installation id after. */
  keyid: string;

  private constructor(
    readonly privateKey: KeyObject,
    readonly publicJwk: Ed25519PublicJwk,
    readonly thumbprint: string,
  ) {
    this.keyid = thumbprint;
  }

  static async create(): Promise<TestAgent> {
    const { privateKey, publicJwk, thumbprint } = await generateIdentityKeys();
    return new TestAgent(privateKey, publicJwk, thumbprint);
  }

  /**
   * Sends a signed request. `path` is appended to `baseUrl` as is (so a stage prefix in `baseUrl`
   * is kept). A `body` that is not a Uint8Array is sent as JSON.
   */
  async request(
    baseUrl: string,
    method: string,
    path: string,
    body?: unknown | Uint8Array,
    opts: TestAgentRequestOptions = {},
  ): Promise<TestAgentResponse> {
    const url = baseUrl.replace(/\/+$/, '') + path;
    const upperMethod = method.toUpperCase();
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    let bytes: Uint8Array | undefined;
    if (body instanceof Uint8Array) {
      bytes = body;
    } else if (body !== undefined) {
      bytes = new TextEncoder().encode(JSON.stringify(body));
      headers['content-type'] = 'application/json';
    }
    Object.assign(headers, opts.headers);

    const signed = await signRequest(
      { method: upperMethod, url, headers, body: bytes },
      { keyid: this.keyid, privateKey: opts.signWith ?? this.privateKey },
      { created: opts.created ?? new Date(Date.now() + knownClockOffsetMs(url)) },
    );
    if (opts.omitSignature) {
      delete signed['signature'];
      delete signed['signature-input'];
    }
    let sent = bytes;
    if (opts.tamperBody) {
      if (upperMethod === 'GET' || upperMethod === 'HEAD')
        throw new Error('tamperBody: a GET or HEAD request has no body to tamper with');
      sent = new Uint8Array([...(bytes ?? []), 0x20]);
    }

    const res = await fetch(url, {
      method: upperMethod,
      headers: signed,
      body: sent === undefined ? undefined : Buffer.from(sent),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, text };
  }
}
