import { beatDataSchemas } from '#lambdas/core/telemetry/catalogue';
import { linuxCollectors } from '#agent/collectors/linux';
import { collectAll } from '#agent/collectors/types';

const linux = process.platform === 'linux' ? describe : describe.skip;

linux('the Linux collectors (this machine)', () => {
  it('read the real system into beats that fit the catalogue exactly', async () => {
    const failures: string[] = [];

    const beats = await collectAll(linuxCollectors, (name, error) => failures.push(`${name}: ${String(error)}`));

    expect(failures).toEqual([]);
    const types = beats.map((b) => b.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'processes.running',
        'software.os',
        'hardware.virtualization',
        'hardware.processors',
        'hardware.memory',
        'hardware.disks',
        'hardware.network',
      ]),
    );
    for (const beat of beats) {
      const strict = beatDataSchemas[beat.type as keyof typeof beatDataSchemas].safeParse(beat.data);
      expect({ type: beat.type, issues: strict.success ? [] : strict.error.issues }).toEqual({
        type: beat.type,
        issues: [],
      });
    }
    const processes = (beats.find((b) => b.type === 'processes.running')!.data as { processes: { pid: number }[] })
      .processes;
    expect(processes.map((p) => p.pid)).toContain(process.pid);
  }, 30_000);
});
