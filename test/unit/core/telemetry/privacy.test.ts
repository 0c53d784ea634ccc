import { beatTypes, type BeatData, type BeatType } from '#lambdas/core/telemetry/catalogue';
import { freeTextFields, REDACTED, sanitizeBeat, type Redaction } from '#lambdas/core/telemetry/privacy';
import {
  beatsCarryingPersonalData,
  freeTextSlots,
  personalDataCorpus,
  personalDataMixedCorpus,
  personalDataNeedles,
  validBeat,
  validBeatOfEveryType,
} from '#test/support/telemetry-fixtures';

/** A beat as it arrives, before validation; the tests break it on purpose. */
// biome-ignore lint/suspicious/noExplicitAny: made invalid on purpose (wrong types, unknown fields, missing parts): no type describes it
type RawBeat = any;

const sanitized = (raw: unknown) => {
  const result = sanitizeBeat(raw);
  if (!result.ok) throw new Error(`expected a valid beat, got ${JSON.stringify(result.errors)}`);
  return result;
};
const errorsOf = (raw: unknown) => {
  const result = sanitizeBeat(raw);
  if (result.ok) throw new Error('expected errors');
  return result.errors;
};
const withText = (type: BeatType, field: string, value: string) => {
  const beat = validBeat(type) as RawBeat;
  const [head, index, tail] = field.split('.');
  if (tail) beat.data[head!][Number(index)][tail] = value;
  else beat.data[head!] = value;
  return beat;
};

describe('sanitizeBeat: valid beats', () => {
  it('keeps a valid beat of every type unchanged, with no redaction', () => {
    // Arrange
    const beats = validBeatOfEveryType();

    // Act
    const results = beats.map((beat) => sanitizeBeat(structuredClone(beat)));

    // Assert
    expect(results).toEqual(beats.map((beat) => ({ ok: true, beat, redactions: [] })));
  });

  it('does not modify the value it was given', () => {
    // Arrange
    const raw = withText('ucx.suite', 'installPath', 'C:\\Users\\mario.rossi\\UCX') as RawBeat;
    raw.extra = 1;
    const before = structuredClone(raw);

    // Act
    sanitizeBeat(raw);

    // Assert
    expect(raw).toEqual(before);
  });
});

describe('sanitizeBeat: unknown fields', () => {
  it('drops them from the envelope, the data and nested array items, reporting each', () => {
    // Arrange
    const raw = validBeat('hardware.network') as RawBeat;
    raw.hostname = 'MARIO-LAPTOP';
    raw.data.owner = 'mario.rossi';
    raw.data.adapters[0].macAddress = '00:11:22:33:44:55';
    raw.data.adapters[0].extra = { user: 'mrossi' };

    // Act
    const { beat, redactions } = sanitized(raw);

    // Assert
    expect(redactions).toEqual<Redaction[]>([
      { path: 'hostname', reason: 'unknown-field' },
      { path: 'data.adapters.0.macAddress', reason: 'unknown-field' },
      { path: 'data.adapters.0.extra', reason: 'unknown-field' },
      { path: 'data.owner', reason: 'unknown-field' },
    ]);
    expect(beat).toEqual(validBeat('hardware.network'));
    const stored = JSON.stringify(beat);
    for (const dropped of ['MARIO-LAPTOP', 'mario.rossi', '00:11:22', 'mrossi']) expect(stored).not.toContain(dropped);
  });

  it('reports them in the second array item too, and not as errors', () => {
    // Arrange
    const raw = validBeat('processes.running') as RawBeat;
    raw.data.processes[1].commandLine = 'sqlservr.exe -s MSSQLSERVER';

    // Act
    const { redactions, beat } = sanitized(raw);

    // Assert
    expect(redactions).toEqual([{ path: 'data.processes.1.commandLine', reason: 'unknown-field' }]);
    expect(beat.data).toEqual(validBeat('processes.running').data);
  });

  it('leaves them out of the errors when the beat is refused for another reason', () => {
    // Arrange
    const raw = validBeat('ucx.ivr') as RawBeat;
    raw.data.activeCalls = -1;
    raw.data.caller = '+39 333 1234567';

    // Act
    const errors = errorsOf(raw);

    // Assert
    expect(errors.map((e) => e.path)).toEqual(['data.activeCalls']);
  });
});

describe('sanitizeBeat: refused beats, with exact paths', () => {
  it.each<[string, (raw: RawBeat) => void, string[]]>([
    ['a wrong type in an array item', (b) => (b.data.processes[0].pid = '4'), ['data.processes.0.pid']],
    ['a missing field', (b) => delete b.data.processes[2].name, ['data.processes.2.name']],
    ['missing data', (b) => delete b.data, ['data']],
    ['data that is not an object', (b) => (b.data = [1, 2]), ['data']],
    ['an unknown type', (b) => (b.type = 'processes.open_files'), ['type']],
    ['a missing type', (b) => delete b.type, ['type']],
    ['a bad UUID', (b) => (b.id = 'not-a-uuid'), ['id']],
    ['a bad collectedAt', (b) => (b.collectedAt = '02/03/2026 09:00'), ['collectedAt']],
    [
      'a bad collectedAt and a bad data field',
      (b) => {
        b.collectedAt = 'yesterday';
        b.data.processes[1].cpuPercent = 'high';
      },
      ['collectedAt', 'data.processes.1.cpuPercent'],
    ],
    ['a negative size', (b) => (b.data.processes[0].memoryBytes = -1), ['data.processes.0.memoryBytes']],
  ])('refuses %s', (_, mutate, paths) => {
    // Arrange
    const raw = validBeat('processes.running') as RawBeat;
    mutate(raw);

    // Act
    const errors = errorsOf(raw);

    // Assert
    expect(errors.map((e) => e.path)).toEqual(paths);
    for (const error of errors) expect(error.message).toEqual(expect.any(String));
  });

  it.each([[null], ['beat'], [[]], [42]])('refuses %p as a whole', (raw) => {
    // Act
    const errors = errorsOf(raw);

    // Assert
    expect(errors).toEqual([{ path: '', message: expect.any(String) }]);
  });

  it('names the catalogue in the message of an unknown type', () => {
    // Arrange
    const raw = { ...validBeat('ucx.ivr'), type: 'keystrokes' };

    // Act
    const errors = errorsOf(raw);

    // Assert
    expect(errors).toEqual([{ path: 'type', message: expect.stringContaining('catalogue v1') }]);
  });
});

describe('freeTextFields', () => {
  it('lists the plain strings of a type, marking whole-value identities', () => {
    // Act
    const fields = freeTextFields('software.windows_services');

    // Assert
    expect(fields).toEqual([
      { path: 'services[].name', identity: false },
      { path: 'services[].startIdentity', identity: true },
      { path: 'services[].exePath', identity: false },
    ]);
  });

  it('leaves out formats, enums, numbers and booleans', () => {
    // Act
    const paths = beatTypes.flatMap((type) => freeTextFields(type).map((f) => `${type}:${f.path}`));

    // Assert
    for (const notText of [
      'hardware.network:adapters[].ipAddresses[]',
      'ucx.voip:cucmAddress',
      'ucx.database:authType',
      'ucx.database:lastMaintenanceAt',
      'software.installed_applications:applications[].installDate',
      'processes.running:processes[].pid',
    ]) {
      expect(paths).not.toContain(notText);
    }
    expect(paths).toContain('ucx.cluster:nodes[]');
    expect(paths).toContain('ucx.database:filePaths[]');
  });
});

describe('sanitizeBeat: personal data', () => {
  it.each<[string, string, string]>([
    [
      'C:\\Users\\mario.rossi\\AppData\\Local\\UCX\\ucx.log',
      'C:\\Users\\<redacted>\\AppData\\Local\\UCX\\ucx.log',
      'user-profile-path',
    ],
    ['C:\\Users\\Mario Rossi\\Documents\\UCX', 'C:\\Users\\<redacted>\\Documents\\UCX', 'user-profile-path'],
    ['c:/users/mario.rossi/Desktop', 'c:/users/<redacted>/Desktop', 'user-profile-path'],
    [
      '\\\\fileserver\\c$\\Users\\mrossi\\Documents',
      '\\\\fileserver\\c$\\Users\\<redacted>\\Documents',
      'user-profile-path',
    ],
    ['C:\\Documents and Settings\\mrossi\\UCX', 'C:\\Documents and Settings\\<redacted>\\UCX', 'user-profile-path'],
    ['C:\\Users\\mrossi', 'C:\\Users\\<redacted>', 'user-profile-path'],
    ['/home/jdoe/ucx/agent.log', '/home/<redacted>/ucx/agent.log', 'user-profile-path'],
    ['/Users/jdoe/Library', '/Users/<redacted>/Library', 'user-profile-path'],
    ['ACME\\mrossi', '<redacted>', 'service-identity'],
    ['runs as acme.local\\mrossi daily', 'runs as <redacted> daily', 'service-identity'],
    ['.\\jdoe', '<redacted>', 'service-identity'],
    [
      '"C:\\Program Files\\UCX\\ucx.exe" -user:ACME\\mrossi',
      '"C:\\Program Files\\UCX\\ucx.exe" -user:<redacted>',
      'service-identity',
    ],
    ['C:\\Program Files\\UCX\\ucx.exe ACME\\mrossi', 'C:\\Program Files\\UCX\\ucx.exe <redacted>', 'service-identity'],
    ['mrossi@ACME', '<redacted>', 'service-identity'],
    ['mario.rossi@example.com', '<redacted>', 'email-address'],
    ['notify <mario.rossi@example.com>, then stop', 'notify <<redacted>>, then stop', 'email-address'],
  ])('redacts %s', (value, expected, reason) => {
    // Arrange
    const raw = withText('software.windows_services', 'services.0.exePath', value);

    // Act
    const { beat, redactions } = sanitized(raw);

    // Assert
    expect((beat.data as BeatData<'software.windows_services'>).services[0]!.exePath).toBe(expected);
    expect(redactions).toEqual([{ path: 'data.services.0.exePath', reason }]);
  });

  it('reports each reason once per field when a string mixes them', () => {
    // Arrange
    const raw = withText('ucx.suite', 'installPath', personalDataMixedCorpus[1]!);

    // Act
    const { beat, redactions } = sanitized(raw);

    // Assert
    expect(redactions).toEqual([
      { path: 'data.installPath', reason: 'user-profile-path' },
      { path: 'data.installPath', reason: 'service-identity' },
      { path: 'data.installPath', reason: 'email-address' },
    ]);
    expect((beat.data as BeatData<'ucx.suite'>).installPath).toBe(
      '"C:\\Program Files\\UCX\\UCX.Core.exe" -user <redacted> -notify <redacted> -log C:\\Users\\<redacted>\\AppData\\Local\\UCX\\core.log -home /home/<redacted>/ucx',
    );
  });

  it('puts every corpus string in every free-text field of every type', () => {
    // Arrange
    const slots = freeTextSlots();

    // Act
    const cases = beatsCarryingPersonalData();

    // Assert
    expect(slots.map((s) => `${s.type}:${s.path}`)).toEqual(
      beatTypes.flatMap((type) => freeTextFields(type).map((f) => `${type}:${f.path}`)),
    );
    expect(slots.length).toBeGreaterThan(beatTypes.length);
    for (const slot of slots) {
      const samples = cases.filter((c) => c.beat.type === slot.type && c.path === slot.path).map((c) => c.sample);
      expect(samples).toEqual(expect.arrayContaining([...personalDataCorpus]));
    }
    expect(cases.filter((c) => personalDataMixedCorpus.includes(c.sample)).length).toBeGreaterThan(0);
  });

  it('redacts the corpus from every free-text field of every type, so no stored beat names a person', () => {
    // Arrange
    const cases = beatsCarryingPersonalData();

    // Act
    const results = cases.map(({ beat, path, sample }) => ({ path, sample, result: sanitizeBeat(beat) }));

    // Assert
    const leaks = results.flatMap(({ path, sample, result }): unknown[] => {
      if (!result.ok) return [{ path, sample, errors: result.errors }];
      const stored = JSON.stringify(result.beat).toLowerCase();
      const found = personalDataNeedles.filter((needle) => stored.includes(needle.toLowerCase()));
      const unreported = result.redactions.length === 0;
      return found.length > 0 || unreported ? [{ path, sample, found, stored }] : [];
    });
    expect(leaks).toEqual([]);
  });

  it("redacts and reports the same on its fast path as on zod's (taken when the data has an unknown key)", () => {
    // Arrange
    const cases = beatsCarryingPersonalData();
    const withUnknownKey = (beat: unknown) => {
      const copy = structuredClone(beat) as RawBeat;
      copy.data.callerNumber = '+390123';
      return copy;
    };

    // Act
    const pairs = cases.map(({ beat }) => ({ fast: sanitizeBeat(beat), zod: sanitizeBeat(withUnknownKey(beat)) }));

    // Assert
    const differences = pairs.filter(({ fast, zod }) => {
      if (!fast.ok || !zod.ok) return true;
      const zodRedactions = zod.redactions.filter((r) => r.path !== 'data.callerNumber');
      return (
        JSON.stringify(fast.beat) !== JSON.stringify(zod.beat) ||
        JSON.stringify(fast.redactions) !== JSON.stringify(zodRedactions)
      );
    });
    expect(pairs.length).toBeGreaterThan(100);
    expect(differences).toEqual([]);
  });

  it("reports the redactions of an array field at each item's path", () => {
    // Arrange
    const raw = validBeat('processes.running') as RawBeat;
    raw.data.processes[1].name = 'C:\\Users\\jdoe\\tool.exe';

    // Act
    const { redactions, beat } = sanitized(raw);

    // Assert
    expect(redactions).toEqual([{ path: 'data.processes.1.name', reason: 'user-profile-path' }]);
    expect((beat.data as BeatData<'processes.running'>).processes[1]!.name).toBe('C:\\Users\\<redacted>\\tool.exe');
  });

  it('redacts a non-built-in start identity whole', () => {
    // Arrange
    const raw = withText('software.windows_services', 'services.0.startIdentity', 'mrossi');

    // Act
    const { beat, redactions } = sanitized(raw);

    // Assert
    expect((beat.data as BeatData<'software.windows_services'>).services[0]!.startIdentity).toBe(REDACTED);
    expect(redactions).toEqual([{ path: 'data.services.0.startIdentity', reason: 'service-identity' }]);
  });

  it.each([
    ['LocalSystem'],
    ['LocalService'],
    ['NetworkService'],
    ['.\\LocalSystem'],
    ['NT AUTHORITY\\LocalService'],
    ['NT AUTHORITY\\NetworkService'],
    ['NT AUTHORITY\\SYSTEM'],
    ['NT SERVICE\\MSSQL$SQLEXPRESS'],
    ['nt service\\UcxCore'],
  ])('keeps the built-in start identity %s', (identity) => {
    // Arrange
    const raw = withText('software.windows_services', 'services.0.startIdentity', identity);

    // Act
    const { beat, redactions } = sanitized(raw);

    // Assert
    expect((beat.data as BeatData<'software.windows_services'>).services[0]!.startIdentity).toBe(identity);
    expect(redactions).toEqual([]);
  });

  it.each([
    ['C:\\Program Files\\UCX\\'],
    ['C:\\Program Files\\UCX'],
    ['C:\\Program Files (x86)\\UCX Suite\\bin'],
    ['C:\\Program Files\\Microsoft SQL Server\\MSSQL15.MSSQLSERVER\\MSSQL\\DATA\\UCX.mdf'],
    ['D:\\SQL Data\\UCX.mdf'],
    ['C:\\Users\\Public\\Documents\\UCX'],
    ['C:\\Users\\Default\\AppData\\Local'],
    ['C:\\Users\\All Users\\UCX'],
    ['\\\\ucx-node-2\\c$\\Users\\Default User\\NTUSER.DAT'],
    ['C:\\Windows\\system32\\svchost.exe -k LocalServiceNetworkRestricted -p'],
    ['"C:\\Program Files\\UCX\\ucx.exe" -account NT AUTHORITY\\NetworkService'],
    ['"C:\\Program Files\\UCX\\ucx.exe" -account .\\LocalSystem'],
    ['/opt/ucx/bin/agent'],
    ['\\\\fileserver\\ucx\\backups'],
  ])('keeps the ordinary path or built-in identity in %s', (value) => {
    // Arrange
    const raw = withText('software.windows_services', 'services.0.exePath', value);

    // Act
    const { beat, redactions } = sanitized(raw);

    // Assert
    expect((beat.data as BeatData<'software.windows_services'>).services[0]!.exePath).toBe(value);
    expect(redactions).toEqual([]);
  });
});
