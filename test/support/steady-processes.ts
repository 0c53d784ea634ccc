/**
 * A healthy server's processes, for the write-units tests and the bench's steady row: the simulator
 * draws each counter afresh every minute, and six rising draws in a row read as a leak to the trend
 * rules, so its findings open and resolve all day. Here each process's memory, handles and threads
 * saw-tooth around a value of its own (CPU stays as drawn): nothing a rule should raise, which is
 * what the steady state means.
 */
type Processes = { processes: { pid: number; memoryBytes: number; handleCount: number; threadCount: number }[] };

/** `processes.running` data of collection round `round`, made steady. */
export function steadyProcesses(data: unknown, round: number): unknown {
  const { processes, ...rest } = data as Processes;
  const tooth = round % 2;
  return {
    ...rest,
    processes: processes.map((p) => ({
      ...p,
      memoryBytes: (100 + (p.pid % 97)) * 1024 * 1024 + tooth * 4096,
      handleCount: 300 + (p.pid % 211) + tooth,
      threadCount: 10 + (p.pid % 23) + tooth,
    })),
  };
}
