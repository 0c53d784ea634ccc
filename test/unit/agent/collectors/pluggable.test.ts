import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beatsFromJson, commandSource, fileSource, loadSources } from '#agent/collectors/pluggable';
import { collectAll } from '#agent/collectors/types';

const dir = mkdtempSync(join(tmpdir(), 'ucx-sources-'));

describe('pluggable sources', () => {
  it('read the three shapes: typed data, a map of types, a list of beats', () => {
    expect(beatsFromJson([{ name: 'A' }, { name: 'B' }], 'ucx.database')).toEqual([
      { type: 'ucx.database', data: { name: 'A' } },
      { type: 'ucx.database', data: { name: 'B' } },
    ]);
    expect(
      beatsFromJson({
        'ucx.ivr': { activeCalls: 3 },
        'software.firewall': { domain: true, public: true, private: false },
      }),
    ).toHaveLength(2);
    expect(beatsFromJson([{ type: 'ucx.ivr', data: { activeCalls: 1 } }])).toEqual([
      { type: 'ucx.ivr', data: { activeCalls: 1 } },
    ]);
  });

  it('take Windows-only beats from a JSON file and suite beats from a command', async () => {
    const file = join(dir, 'windows.json');
    writeFileSync(
      file,
      JSON.stringify({ 'software.hotfixes': { hotfixes: [{ id: 'KB5044281', installedOn: '2025-10-09' }] } }),
    );
    const script = join(dir, 'ivr-stats.sh');
    writeFileSync(script, '#!/bin/sh\necho \'{"activeCalls": 7}\'\n');
    chmodSync(script, 0o755);

    const beats = await collectAll([fileSource(file), commandSource(script, [], 'ucx.ivr')]);

    expect(beats).toEqual([
      { type: 'software.hotfixes', data: { hotfixes: [{ id: 'KB5044281', installedOn: '2025-10-09' }] } },
      { type: 'ucx.ivr', data: { activeCalls: 7 } },
    ]);
  });

  it('are configured by sources.json; a failing source is reported and the others still count', async () => {
    const good = join(dir, 'acd.json');
    writeFileSync(good, JSON.stringify({ fifoQueued: 1, campOnQueued: 0, activeConsultations: 2 }));
    const config = join(dir, 'sources.json');
    writeFileSync(
      config,
      JSON.stringify({ sources: [{ file: good, type: 'ucx.acd' }, { command: join(dir, 'missing-command') }] }),
    );
    const failures: string[] = [];

    const beats = await collectAll(loadSources(config), (name) => failures.push(name));

    expect(beats).toEqual([{ type: 'ucx.acd', data: { fifoQueued: 1, campOnQueued: 0, activeConsultations: 2 } }]);
    expect(failures).toEqual([`command:${join(dir, 'missing-command')}`]);
    expect(loadSources(join(dir, 'absent.json'))).toEqual([]);
  });
});
