// Every relative link of README.md and docs/ points at a file that exists, and every #anchor into a Markdown
// page names one of its headings (GitHub's slugs). No database, no browser.
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Link {
  target: string;
  line: number;
}

interface BrokenLink {
  file: string;
  line: number;
  target: string;
  reason: string;
}

/** README.md and every Markdown file under docs/, relative to root. */
function markdownFiles(root: string): string[] {
  const files = existsSync(join(root, 'README.md')) ? ['README.md'] : [];
  const walk = (dir: string): void => {
    if (!existsSync(join(root, dir))) return;
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) files.push(path);
    }
  };
  walk('docs');
  return files.sort();
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** The lines outside fenced code blocks; lines inside one become empty, so line numbers stay true. */
function withoutFences(text: string): string[] {
  let fence: string | undefined;
  return text.split('\n').map((line) => {
    const match = FENCE.exec(line);
    if (fence === undefined) {
      if (!match?.[1]) return line;
      fence = match[1];
      return '';
    }
    if (
      match?.[1] &&
      match[1][0] === fence[0] &&
      match[1].length >= fence.length &&
      !line.slice(match[0].length).trim()
    ) {
      fence = undefined;
    }
    return '';
  });
}

/** Inline code spans blanked out (same length), so a link written as code is not taken for one. */
function withoutCodeSpans(line: string): string {
  return line.replace(/(`+)(?:(?!\1)[\s\S])*?\1/g, (span) => ' '.repeat(span.length));
}

/** Inline links and images, `[text](target "title")`, and reference definitions, `[label]: target`. */
function extractLinks(text: string): Link[] {
  const links: Link[] = [];
  withoutFences(text).forEach((rawLine, index) => {
    const line = withoutCodeSpans(rawLine);
    const definition = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(line);
    if (definition?.[1]) links.push({ target: definition[1].replace(/^<|>$/g, ''), line: index + 1 });
    for (let at = line.indexOf(']('); at !== -1; at = line.indexOf('](', at + 2)) {
      const target = destination(line.slice(at + 2));
      if (target !== undefined) links.push({ target, line: index + 1 });
    }
  });
  return links;
}

/** The destination at the start of `rest` (what follows `](`): `<...>`, or up to the first unbalanced `)`. */
function destination(rest: string): string | undefined {
  const text = rest.trimStart();
  if (text.startsWith('<')) {
    const end = text.indexOf('>');
    return end === -1 ? undefined : text.slice(1, end);
  }
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '\\') i++;
    else if (char === '(') depth++;
    else if (char === ')' && depth-- === 0) return text.slice(0, i);
    else if (char === ' ' || char === '\t') return text.slice(0, i);
  }
  return undefined;
}

/** GitHub's anchor for a heading: lower case, punctuation stripped except hyphens and spaces, spaces to hyphens. */
function githubSlug(heading: string): string {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/<[^>]+>/g, '') // HTML tags
    .trim();
  return rendered
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a Markdown page offers: its headings' slugs (repeats get -1, -2, ...) and HTML ids/names. */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const add = (heading: string): void => {
    const slug = githubSlug(heading);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  };
  const lines = withoutFences(text);
  lines.forEach((line, index) => {
    const atx = /^ {0,3}#{1,6}(?:\s+(.*?))?(?:\s+#+)?\s*$/.exec(line);
    if (atx) add(atx[1] ?? '');
    const previous = lines[index - 1];
    if (/^ {0,3}(=+|-+)\s*$/.test(line) && previous?.trim() && !/^ {0,3}(#|[-*+]\s|\||>)/.test(previous)) {
      add(previous.trim());
    }
    for (const match of line.matchAll(/<[a-z]+\s[^>]*\b(?:id|name)="([^"]+)"/gi)) {
      if (match[1]) anchors.add(match[1]);
    }
  });
  return anchors;
}

/** Every relative link in README.md and docs/ whose file, or whose heading, does not exist. */
function findBrokenLinks(root: string): BrokenLink[] {
  const broken: BrokenLink[] = [];
  const anchorCache = new Map<string, Set<string>>();
  const anchors = (path: string): Set<string> => {
    let set = anchorCache.get(path);
    if (!set) {
      set = anchorsOf(readFileSync(path, 'utf8'));
      anchorCache.set(path, set);
    }
    return set;
  };
  for (const file of markdownFiles(root)) {
    const source = join(root, file);
    for (const { target, line } of extractLinks(readFileSync(source, 'utf8'))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue; // http:, mailto:, ...
      const hashAt = target.indexOf('#');
      const pathPart = (hashAt === -1 ? target : target.slice(0, hashAt)).replace(/\?.*$/, '');
      const fragment = hashAt === -1 ? '' : target.slice(hashAt + 1);
      let path: string;
      try {
        const decoded = decodeURIComponent(pathPart);
        path = !decoded
          ? source
          : decoded.startsWith('/')
            ? join(root, decoded)
            : resolve(dirname(source), decoded);
      } catch {
        broken.push({ file, line, target, reason: 'not a valid URL' });
        continue;
      }
      if (!existsSync(path)) {
        broken.push({ file, line, target, reason: `no such file: ${relative(root, path)}` });
        continue;
      }
      if (fragment && path.endsWith('.md') && !anchors(path).has(decodeURIComponent(fragment))) {
        broken.push({ file, line, target, reason: `no heading #${fragment} in ${relative(root, path)}` });
      }
    }
  }
  return broken;
}

function report(broken: BrokenLink[]): string {
  return `${broken.length} broken link(s):\n${broken.map((b) => `  ${b.file}:${b.line}: (${b.target}): ${b.reason}`).join('\n')}`;
}

describe('documentation links', () => {
  test('every relative link in README.md and docs/ points at a file and heading that exist', () => {
    const files = markdownFiles(ROOT);
    assert.ok(files.includes('README.md'), 'README.md is checked');
    assert.ok(
      files.some((file) => file.startsWith('docs')),
      'the docs/ pages are checked',
    );
    const links = files.flatMap((file) => extractLinks(readFileSync(join(ROOT, file), 'utf8')));
    assert.ok(links.length > 20, `found only ${links.length} links: is the link parser still working?`);
    const broken = findBrokenLinks(ROOT);
    assert.deepEqual(broken, [], report(broken));
  });

  test('the README links every page of docs/', () => {
    const readmeTargets = new Set(
      extractLinks(readFileSync(join(ROOT, 'README.md'), 'utf8')).map((link) =>
        link.target.replace(/#.*$/, ''),
      ),
    );
    const unlinked = markdownFiles(ROOT)
      .filter((file) => file.startsWith('docs'))
      .map((file) => file.split('\\').join('/'))
      .filter((file) => !readmeTargets.has(file));
    assert.deepEqual(unlinked, [], `pages the README does not link: ${unlinked.join(', ')}`);
  });

  test('anchors follow GitHub: lower case, punctuation stripped except hyphens, spaces to hyphens', () => {
    assert.equal(githubSlug('Enqueue with SQL, read with psql'), 'enqueue-with-sql-read-with-psql');
    assert.equal(githubSlug('`brand_visibility`'), 'brand_visibility');
    assert.equal(githubSlug("Extraction under the LLM's rate limit"), 'extraction-under-the-llms-rate-limit');
    assert.equal(githubSlug('Completion is proven, not guessed'), 'completion-is-proven-not-guessed');
    assert.equal(githubSlug('The queue: SQL — and [links](x.md)'), 'the-queue-sql--and-links');
    const anchors = anchorsOf(
      '# Title\n\n## Views\n\n## Views\n\n```\n## not a heading\n```\n\nSetext\n------\n',
    );
    assert.deepEqual([...anchors].sort(), ['setext', 'title', 'views', 'views-1']);
  });

  test('a broken link is reported with its file and line; code, external links and good anchors are not', () => {
    const root = mkdtempSync(join(tmpdir(), 'avt-links-'));
    try {
      mkdirSync(join(root, 'docs'));
      writeFileSync(join(root, 'src.ts'), '');
      writeFileSync(
        join(root, 'README.md'),
        [
          '# Front door',
          '[a page](docs/page.md), [its part](docs/page.md#a-part), [here](#front-door)',
          '[gone](docs/missing.md) and [web](https://example.com/missing.md) and [mail](mailto:a@b.c)',
          '`[code](nowhere.md)` is code',
          '```',
          '[fenced](nowhere.md)',
          '```',
          '[bad part](docs/page.md#no-such-part) [bad here](#nowhere)',
        ].join('\n'),
      );
      writeFileSync(
        join(root, 'docs', 'page.md'),
        [
          '# Page',
          '',
          '## A part',
          '',
          '[source](../src.ts#L1) [up](../README.md) [ref]',
          '',
          '[ref]: ../nope.ts',
        ].join('\n'),
      );
      const broken = findBrokenLinks(root);
      assert.deepEqual(
        broken.map((b) => `${b.file}:${b.line} ${b.target}`),
        [
          'README.md:3 docs/missing.md',
          'README.md:8 docs/page.md#no-such-part',
          'README.md:8 #nowhere',
          `${join('docs', 'page.md')}:7 ../nope.ts`,
        ],
      );
      assert.match(report(broken), /README\.md:3: \(docs\/missing\.md\): no such file: docs\/missing\.md/);
      assert.match(report(broken), /README\.md:8: \(#nowhere\): no heading #nowhere in README\.md/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
