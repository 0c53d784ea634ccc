/**
 * The AWS URLs a template builds (`https://<api id>.execute-api.<region>.amazonaws.com/<stage>`,
 * a queue's `https://sqs.<region>.amazonaws.com/<account>/<name>`), mapped to the local servers
 * that stand for them. Applied to every resolved environment value, so a function reaches the
 * local API, WebSocket stage or queue through the very variable the template gives it.
 */

/** An AWS origin (scheme and host, no trailing slash) and the local origin standing for it. */
export interface LocalOrigin {
  readonly aws: string;
  readonly local: string;
}

/** `https://<apiId>.execute-api.<region>.amazonaws.com`: an API's origin as its stages' URLs begin. */
export const executeApiOrigin = (apiId: string, region: string): string =>
  `https://${apiId}.execute-api.${region}.amazonaws.com`;

/** `https://sqs.<region>.amazonaws.com`: the origin of a queue's URL. */
export const sqsOrigin = (region: string): string => `https://sqs.${region}.amazonaws.com`;

/**
 * Replaces each AWS origin by its local one where it begins a URL inside `value` (a plain URL or
 * a JSON document holding URLs); a longer host that merely starts the same is left alone.
 */
export function localizeUrls(value: string, origins: readonly LocalOrigin[]): string {
  let out = value;
  for (const { aws, local } of origins) {
    const escaped = aws.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`${escaped}(?=$|[/?#"'\\s])`, 'g'), local);
  }
  return out;
}
