/**
 * The portal at `/` of each local region: static files of `portal/dist`, built with esbuild on the
 * first request of the process (a build takes well under a second), with the same security headers
 * CloudFront's response headers policy sets in the cloud, and the region's `/config.json` (its
 * region and both regions' portal URLs; no user pool, so the portal signs in with the local flows).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { PortalConfig } from '../portal/src/config';
import type { HttpResponse } from './http-event';
import { findRepoRoot } from './repo-root';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** The headers of lib/constructs/portal-site.ts's response headers policy, minus HSTS (plain HTTP locally). */
export const portalSecurityHeaders: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
};

/** True for the requests the portal answers: GET or HEAD of anything but the API and development routes. */
export function servesPortal(method: string, path: string): boolean {
  return (
    (method === 'GET' || method === 'HEAD') &&
    !path.startsWith('/v1/') &&
    !path.startsWith('/local/') &&
    !path.startsWith('/.well-known/')
  );
}

let built: Promise<string> | undefined;

async function distDir(): Promise<string> {
  built ??= (async () => {
    const repoRoot = findRepoRoot();
    const { buildPortal } = await import(join(repoRoot, 'portal', 'build.ts'));
    return ((await buildPortal()) as { outDir: string }).outDir;
  })();
  return built;
}

/** The router's handler for portal paths (see servesPortal); `runtimeConfig` answers `/config.json`. */
export async function portalHandler(
  request: IncomingMessage,
  runtimeConfig?: () => PortalConfig,
): Promise<HttpResponse> {
  const path = decodeURIComponent(new URL(request.url ?? '/', 'http://local').pathname);
  if (path === '/config.json' && runtimeConfig) {
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-cache', ...portalSecurityHeaders },
      body: Buffer.from(JSON.stringify(runtimeConfig())),
    };
  }
  const dir = await distDir();
  const relative = normalize(path === '/' ? '/index.html' : path).replace(/^[/\\]+/, '');
  const file = join(dir, relative);
  if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) {
    return {
      statusCode: 404,
      headers: { 'content-type': 'text/plain; charset=utf-8', ...portalSecurityHeaders },
      body: Buffer.from('Not found'),
    };
  }
  const type = contentTypes[extname(file)] ?? 'application/octet-stream';
  const cache = extname(file) === '.html' ? 'no-cache' : 'public, max-age=60';
  return {
    statusCode: 200,
    headers: { 'content-type': type, 'cache-control': cache, ...portalSecurityHeaders },
    body: readFileSync(file),
  };
}
