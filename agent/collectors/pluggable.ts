/**
 * Pluggable sources: a JSON file or a command printing JSON, yielding catalogue `data`. The
 * Windows build plugs in its services, hotfixes and firewall readers this way, and the suite its
 * own beats (`ucx.*`), with no change to the agent.
 *
 * What a source yields, in any of three shapes:
 * - with `type` set in its configuration: that type's `data`, or an array of them (several
 *   databases → several `ucx.database` beats);
 * - `{ "<beat type>": data | data[], ... }`;
 * - `[{ "type": "<beat type>", "data": { ... } }, ...]`.
 *
 * The configuration (`sources.json` in the state directory):
 * `{ "sources": [{ "file": "/etc/ucx/suite.json" }, { "type": "ucx.ivr", "command": "ucx-ivr-stats", "args": ["--json"] }] }`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import * as z from 'zod';
import { parseJsonAs, readJsonFile } from '../sdk/files';
import type { CollectedBeat, Collector } from './types';

const run = promisify(execFile);

const sourceSpecSchema = z.union([
  z.strictObject({ file: z.string().min(1), type: z.string().optional() }),
  z.strictObject({
    command: z.string().min(1),
    args: z.array(z.string()).optional(),
    type: z.string().optional(),
    timeoutMs: z.number().int().positive().optional(),
  }),
]);
const sourcesConfigSchema = z.object({ sources: z.array(sourceSpecSchema) });

export type SourceSpec = z.infer<typeof sourceSpecSchema>;

/** Reads a source's JSON output into beats. */
export function beatsFromJson(value: unknown, type?: string): CollectedBeat[] {
  if (type) return (Array.isArray(value) ? value : [value]).map((data) => ({ type, data }));
  if (Array.isArray(value))
    return value
      .filter((v) => v && typeof v === 'object' && typeof v.type === 'string')
      .map((v) => ({ type: v.type as string, data: v.data }));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([t, data]) =>
      (Array.isArray(data) ? data : [data]).map((d) => ({ type: t, data: d })),
    );
  throw new Error('a source must yield a JSON object or array');
}

export function fileSource(path: string, type?: string): Collector {
  return {
    name: `file:${path}`,
    types: type ? [type] : [],
    async collect() {
      return beatsFromJson(parseJsonAs(z.unknown(), await readFile(path, 'utf8'), path, 'a telemetry source'), type);
    },
  };
}

export function commandSource(command: string, args: string[] = [], type?: string, timeoutMs = 30_000): Collector {
  return {
    name: `command:${command}`,
    types: type ? [type] : [],
    async collect() {
      const { stdout } = await run(command, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
      return beatsFromJson(parseJsonAs(z.unknown(), stdout, `the output of ${command}`, 'a telemetry source'), type);
    },
  };
}

export function sourceCollector(spec: SourceSpec): Collector {
  return 'file' in spec
    ? fileSource(spec.file, spec.type)
    : commandSource(spec.command, spec.args, spec.type, spec.timeoutMs);
}

/** The collectors a `sources.json` configures; none when the file is absent. */
export function loadSources(configPath: string): Collector[] {
  if (!existsSync(configPath)) return [];
  const config = readJsonFile(sourcesConfigSchema, configPath, 'a sources file ({ "sources": [...] })');
  return config.sources.map(sourceCollector);
}
