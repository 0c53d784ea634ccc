import {
  beatDataSchemas,
  beatEnvelopeSchema,
  beatTypes,
  catalogueFieldPaths,
  fieldSources,
  type BeatType,
} from '#lambdas/core/telemetry/catalogue';
import { publishedItems, publishedList, type PublishedRow } from '#lambdas/core/telemetry/published-list';
import { validBeat, validBeatOfEveryType } from '#test/support/telemetry-fixtures';

const rows: readonly PublishedRow[] = publishedList;
const allItemIds = rows.flatMap((row) => row.items.map((item) => item.id));

describe("the published list (the terms' table as data)", () => {
  it('gives every item a unique id under its row', () => {
    // Arrange
    const duplicates = allItemIds.filter((id, i) => allItemIds.indexOf(id) !== i);

    // Act
    const misplaced = rows.flatMap((row) => row.items.filter((item) => !item.id.startsWith(`${row.id}:`)));

    // Assert
    expect(duplicates).toEqual([]);
    expect(misplaced).toEqual([]);
    expect(publishedItems.size).toBe(allItemIds.length);
  });

  it('has exactly one row per beat type of the catalogue', () => {
    // Act
    const rowIds = rows.map((row) => row.id);

    // Assert
    expect([...rowIds].sort()).toEqual([...beatTypes].sort());
    expect(new Set(rowIds).size).toBe(rowIds.length);
  });
});

describe('coverage proof: the catalogue collects exactly the published items', () => {
  it.each(beatTypes.map((type) => [type]))(
    '%s: every schema field maps to a published item, and only schema fields do',
    (type) => {
      // Arrange
      const schemaFields = catalogueFieldPaths(type as BeatType);

      // Act
      const mappedFields = Object.keys(fieldSources[type as BeatType]);

      // Assert
      expect(schemaFields.length).toBeGreaterThan(0);
      expect([...mappedFields].sort()).toEqual([...schemaFields].sort());
    },
  );

  it('maps every field to an item of the row of its own beat type', () => {
    // Arrange
    const mappings = beatTypes.flatMap((type) =>
      Object.entries(fieldSources[type]).map(([field, itemId]) => ({ type, field, itemId })),
    );

    // Act
    const wrong = mappings.filter(({ type, itemId }) => publishedItems.get(itemId)?.row.id !== type);

    // Assert
    expect(wrong).toEqual([]);
  });

  it('covers every published item with at least one field (nothing missed)', () => {
    // Arrange
    const covered = new Set<string>(beatTypes.flatMap((type) => Object.values(fieldSources[type])));

    // Act
    const missed = allItemIds.filter((id) => !covered.has(id));

    // Assert
    expect(missed).toEqual([]);
    expect(covered.size).toBe(allItemIds.length);
  });
});

describe('beat data schemas', () => {
  it('accept the valid fixture of every type, one fixture per type', () => {
    // Arrange
    const beats = validBeatOfEveryType();

    // Act
    const failures = beats.flatMap((beat) => {
      const envelope = beatEnvelopeSchema.safeParse(beat);
      const data = beatDataSchemas[beat.type].safeParse(beat.data);
      return envelope.success && data.success ? [] : [{ type: beat.type, envelope: envelope.error, data: data.error }];
    });

    // Assert
    expect(failures).toEqual([]);
    expect(beats.map((b) => b.type)).toEqual([...beatTypes]);
  });

  // biome-ignore lint/suspicious/noExplicitAny: each mutator writes what its beat's type forbids (a negative count, a wrong enum)
  it.each<[string, BeatType, (data: any) => void, string]>([
    ['a negative count', 'ucx.ivr', (d) => (d.activeCalls = -1), 'activeCalls'],
    ['a fractional count', 'ucx.acd', (d) => (d.fifoQueued = 1.5), 'fifoQueued'],
    ['a fractional size', 'hardware.memory', (d) => (d.totalBytes = 1.5), 'totalBytes'],
    [
      'a start mode outside the enum',
      'software.windows_services',
      (d) => (d.services[0].startMode = 'automatic'),
      'services.0.startMode',
    ],
    ['an auth type outside the enum', 'ucx.database', (d) => (d.authType = 'kerberos'), 'authType'],
    [
      'a date that is not ISO 8601',
      'software.installed_applications',
      (d) => (d.applications[0].installDate = '03/11/2025'),
      'applications.0.installDate',
    ],
    [
      'a date-time without offset',
      'ucx.database',
      (d) => (d.lastMaintenanceAt = '2026-03-01 02:00'),
      'lastMaintenanceAt',
    ],
    ['an IP address that is not one', 'ucx.voip', (d) => (d.cucmAddress = 'cucm.acme.local'), 'cucmAddress'],
    [
      'a string beyond its bound',
      'processes.running',
      (d) => (d.processes[0].name = 'x'.repeat(257)),
      'processes.0.name',
    ],
    [
      'an array beyond its bound',
      'hardware.network',
      (d) => (d.adapters[0].gateways = Array(17).fill('10.0.0.1')),
      'adapters.0.gateways',
    ],
    ['a null pid of a running process', 'processes.running', (d) => (d.processes[0].pid = null), 'processes.0.pid'],
    [
      'a bitness other than 32 or 64',
      'hardware.processors',
      (d) => (d.processors[0].bitness = 16),
      'processors.0.bitness',
    ],
  ])('refuse %s', (_, type, mutate, path) => {
    // Arrange
    const data = validBeat(type).data;
    mutate(data);

    // Act
    const result = beatDataSchemas[type].safeParse(data);

    // Assert
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual([path]);
  });

  it('accept a null pid for a stopped service', () => {
    // Arrange
    const data = validBeat('processes.windows_services').data;

    // Act
    const result = beatDataSchemas['processes.windows_services'].safeParse(data);

    // Assert
    expect(result.success).toBe(true);
    expect(data.services.some((s) => s.pid === null)).toBe(true);
  });
});
