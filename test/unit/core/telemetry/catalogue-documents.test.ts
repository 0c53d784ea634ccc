import { beatDataSchemas, beatTypes, CATALOGUE_VERSION, catalogueFieldPaths } from '#lambdas/core/telemetry/catalogue';
import { catalogueJsonSchema, catalogueMarkdownTable } from '#lambdas/core/telemetry/catalogue-documents';

/** What these tests read of the catalogue's JSON Schema. */
interface BeatVariantSchema {
  required: string[];
  properties: {
    type: { const: string };
    id: { format: string };
    collectedAt: { format: string };
    data: { properties: Record<string, unknown> };
  };
}
interface CatalogueSchemaDocument {
  $id: string;
  $schema: string;
  'x-ucx-catalogue-version': string;
  properties: { beats: { items: { oneOf?: BeatVariantSchema[]; anyOf?: BeatVariantSchema[] } } };
}

describe('catalogueJsonSchema', () => {
  it('describes the envelope and the data of all 25 types, versioned', () => {
    // Act
    const document = catalogueJsonSchema() as unknown as CatalogueSchemaDocument;

    // Assert
    const variants = (document.properties.beats.items.oneOf ?? document.properties.beats.items.anyOf)!;
    const types = variants.map((variant) => variant.properties.type.const);
    expect([...types].sort()).toEqual([...beatTypes].sort());
    expect(document['x-ucx-catalogue-version']).toBe(CATALOGUE_VERSION);
    expect(document.$id).toContain(CATALOGUE_VERSION);
    expect(document.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    for (const variant of variants) {
      expect(variant.required).toEqual(expect.arrayContaining(['id', 'type', 'collectedAt', 'data']));
      expect(variant.properties.id.format).toBe('uuid');
      expect(variant.properties.collectedAt.format).toBe('date-time');
    }
  });

  it('lists exactly the catalogue fields of each type', () => {
    // Arrange
    const document = catalogueJsonSchema() as unknown as CatalogueSchemaDocument;
    const variants = (document.properties.beats.items.oneOf ?? document.properties.beats.items.anyOf)!;

    // Act
    const propertiesByType = Object.fromEntries(
      variants.map((v) => [v.properties.type.const, Object.keys(v.properties.data.properties).sort()]),
    );

    // Assert
    for (const type of beatTypes) {
      expect(propertiesByType[type]).toEqual(Object.keys(beatDataSchemas[type].shape).sort());
    }
  });

  it('is plain JSON', () => {
    // Act
    const document = catalogueJsonSchema();

    // Assert
    expect(JSON.parse(JSON.stringify(document))).toEqual(document);
  });
});

describe('catalogueMarkdownTable', () => {
  it('has one line per catalogue field, each naming its published item', () => {
    // Arrange
    const fieldCount = beatTypes.reduce((n, type) => n + catalogueFieldPaths(type).length, 0);

    // Act
    const lines = catalogueMarkdownTable().trimEnd().split('\n');

    // Assert
    expect(lines).toHaveLength(2 + fieldCount);
    for (const type of beatTypes) expect(lines.some((l) => l.includes(`\`${type}\``))).toBe(true);
    expect(lines.some((l) => l.includes('(none)'))).toBe(false);
    expect(lines).toContain('|  |  | `services[].startIdentity` | Startup Identity |');
  });
});
