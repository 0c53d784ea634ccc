/**
 * A collector yields catalogue `data` for one or more beat types. The Linux collectors read the
 * real system; the pluggable ones read a JSON file or run a command, which is how a Windows build
 * (or a suite component) plugs in its own sources without changing the agent.
 */
export interface CollectedBeat {
  type: string;
  data: unknown;
}

export interface Collector {
  /** for logs: `linux:processes.running`, `file:/etc/ucx/voip.json`, ... */
  readonly name: string;
  /** the beat types it may yield */
  readonly types: readonly string[];
  collect(): Promise<CollectedBeat[]>;
}

/** Runs every collector; one that fails is reported, the others still count. */
export async function collectAll(
  collectors: readonly Collector[],
  onError: (collector: string, error: unknown) => void = () => {},
): Promise<CollectedBeat[]> {
  const results = await Promise.all(
    collectors.map(async (c) => {
      try {
        return await c.collect();
      } catch (error) {
        onError(c.name, error);
        return [];
      }
    }),
  );
  return results.flat();
}
