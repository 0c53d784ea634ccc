import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = join(__dirname, '../../..');

/** The README, every page in docs/ and every top-level folder's README.md. */
function markdownFiles(): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(root, 'docs', name));
  const folderReadmes = readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules')
    .map((entry) => join(root, entry.name, 'README.md'))
    .filter((path) => existsSync(path));
  return [join(root, 'README.md'), ...docs, ...folderReadmes];
}

const withoutCodeBlocks = (markdown: string): string => markdown.replace(/^```[\s\S]*?^```/gm, '');

/** Targets of inline links and images, `[text](target)`, outside fenced code blocks; not URLs. */
function relativeLinkTargets(markdown: string): string[] {
  return [...withoutCodeBlocks(markdown).matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] ?? '')
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** The anchors a page offers: GitHub's heading slugs and explicit `<a id="…">`. */
function anchorsOf(markdown: string): Set<string> {
  const prose = withoutCodeBlocks(markdown);
  const headings = [...prose.matchAll(/^#{1,6} +(.+?) *#*$/gm)].map((match) =>
    (match[1] ?? '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/ /g, '-'),
  );
  const ids = [...prose.matchAll(/<a id="([^"]+)">/g)].map((match) => match[1] ?? '');
  return new Set([...headings, ...ids]);
}

function brokenLinks(path: string): string[] {
  return relativeLinkTargets(readFileSync(path, 'utf8')).filter((target) => {
    const [file, anchor] = target.split('#');
    const targetPath = file ? join(dirname(path), decodeURI(file)) : path;
    if (!existsSync(targetPath)) return true;
    if (!anchor || !targetPath.endsWith('.md')) return false;
    return !anchorsOf(readFileSync(targetPath, 'utf8')).has(anchor);
  });
}

describe('relative markdown links', () => {
  it('finds the links and anchors it checks', () => {
    const markdown =
      '## The `ucx` context: keys\n<a id="x"></a>\nsee [a](docs/a.md#x), ![b](b.png), [c](https://c.example), [d](#d)';

    const targets = relativeLinkTargets(markdown);
    const anchors = anchorsOf(markdown);

    expect(targets).toEqual(['docs/a.md#x', 'b.png', '#d']);
    expect([...anchors]).toEqual(['the-ucx-context-keys', 'x']);
  });

  it.each(markdownFiles().map((path) => [relative(root, path), path]))(
    '%s points only at files and headings that exist',
    (_, path) => {
      const broken = brokenLinks(path);

      expect(broken).toEqual([]);
    },
  );
});
