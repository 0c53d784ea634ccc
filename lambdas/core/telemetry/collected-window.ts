/**
 * The window a beat's `collectedAt` must fall in, judged against its arrival (issue 17, finding 3):
 * a beat from the future would become every type's newest and silence the rules, one from long
 * ago is of no use to them. docs/telemetry.md "Beats out of time".
 */
import type { FieldError } from '../errors';

/**
 * How far ahead of the arrival a beat may be dated: the agent's clock may run this far ahead,
 * as the request signature's `created` window already allows (agent-signature.ts).
 */
export const MAX_AHEAD_MS = 5 * 60_000;
/**
 * How old a beat may be: the rules' longest memory (7-day baselines) and the raw archive's
 * landing window; an agent offline longer loses the older part of its spool, each beat refused
 * with this reason.
 */
export const MAX_AGE_MS = 7 * 86_400_000;

/** Why `collectedAt` is out of the window around `arrival` (epoch ms), or undefined when it is in. */
export function collectedAtError(collectedAt: string, arrival: number): FieldError | undefined {
  const at = Date.parse(collectedAt);
  if (at > arrival + MAX_AHEAD_MS)
    return {
      path: 'collectedAt',
      message: `collectedAt is ${minutes(at - arrival)} ahead of the time it arrived (${new Date(arrival).toISOString()}); at most ${minutes(MAX_AHEAD_MS)} is allowed: check the machine's clock`,
    };
  if (at < arrival - MAX_AGE_MS)
    return {
      path: 'collectedAt',
      message: `collectedAt is more than ${MAX_AGE_MS / 86_400_000} days before the time it arrived (${new Date(arrival).toISOString()}); such beats are not stored`,
    };
  return undefined;
}

const minutes = (ms: number) => `${Math.round(ms / 6_000) / 10} min`;
