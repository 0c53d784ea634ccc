/**
 * The lint gate holds: Biome with the repository's biome.json fails a file with a planted
 * violation, naming the rules, and passes the same code written cleanly. A config that silently
 * stopped linting (a rule set turned off, files no longer included) fails here.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRepoRoot } from '#local/repo-root';

const root = findRepoRoot();
const biome = join(root, 'node_modules/@biomejs/biome/bin/biome');

/** `biome check` (format and lint) of `file` in `dir`, with the root config; `dir` is no git checkout, so no ignore file. */
function biomeCheck(dir: string, file: string): { status: number | null; output: string } {
  const run = spawnSync(
    process.execPath,
    [biome, 'check', `--config-path=${join(root, 'biome.json')}`, '--vcs-enabled=false', '--colors=off', file],
    { cwd: dir, encoding: 'utf8' },
  );
  if (run.error) throw run.error;
  return { status: run.status, output: run.stdout + run.stderr };
}

describe('Biome with the project config', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ucx-lint-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fails a file with planted violations and names each', () => {
    // Arrange: an assignment inside a loop condition, an explicit any, a line the formatter would change
    writeFileSync(
      join(dir, 'planted.ts'),
      [
        'export function lastMatch(pattern: RegExp, text: string): any {',
        '  let match: RegExpExecArray | null;',
        '  let last = null;',
        '  while ((match = pattern.exec(text))) last = match[0];',
        '  return last;',
        '}',
        'export const spacing = { a:1 }',
        '',
      ].join('\n'),
    );

    // Act
    const { status, output } = biomeCheck(dir, 'planted.ts');

    // Assert
    expect(status).not.toBe(0);
    expect(output).toContain('lint/suspicious/noAssignInExpressions');
    expect(output).toContain('lint/suspicious/noExplicitAny');
    expect(output).toMatch(/planted\.ts format/);
  });

  it('passes the same code written cleanly', () => {
    // Arrange
    writeFileSync(
      join(dir, 'clean.ts'),
      [
        'export function lastMatch(pattern: RegExp, text: string): string | null {',
        '  let last: string | null = null;',
        '  for (const match of text.matchAll(pattern)) last = match[0];',
        '  return last;',
        '}',
        'export const spacing = { a: 1 };',
        '',
      ].join('\n'),
    );

    // Act
    const { status, output } = biomeCheck(dir, 'clean.ts');

    // Assert
    expect(output).not.toMatch(/lint\/|format/);
    expect(status).toBe(0);
  });
});
