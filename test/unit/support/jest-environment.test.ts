/**
 * The project's Jest environment tells an afterEach hook whether the test it follows failed (the
 * e2e harness keeps a failed test's screenshots and the cloud's last lines on it): a planted file
 * of a passing, a failing and a passing test, run by Jest with the project's config.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRepoRoot } from '#local/repo-root';

const root = findRepoRoot();

it('marks the failed test as failed to its afterEach hook, and the next one as not', () => {
  // Arrange: in the repository (the config's rootDir), a folder of its own, removed after
  const dir = mkdtempSync(join(root, '.local', 'jest-environment-'));
  const file = join(dir, 'planted.test.ts');
  writeFileSync(
    file,
    [
      "import { currentTestFailed } from '#test/support/test-outcome';",
      'const seen: boolean[] = [];',
      'afterEach(() => { seen.push(currentTestFailed()); });',
      "afterAll(() => { process.stderr.write('SEEN ' + JSON.stringify(seen) + '\\n'); });",
      "it('passes', () => expect(1).toBe(1));",
      "it('fails', () => expect(1).toBe(2));",
      "it('passes again', () => expect(1).toBe(1));",
      '',
    ].join('\n'),
  );
  try {
    // Act
    const run = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules/jest/bin/jest.js'),
        '--ci',
        // the config's testMatch and ignored paths leave .local out
        '--testMatch=**/planted.test.ts',
        '--modulePathIgnorePatterns=/cdk.out/',
        '--runTestsByPath',
        file,
      ],
      { cwd: root, encoding: 'utf8', env: { ...process.env, UCX_CLOUD_JSON: '' } },
    );

    // Assert
    expect(run.stderr).toContain('SEEN [false,true,false]');
    expect(run.status).toBe(1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
