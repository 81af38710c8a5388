import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The README and docs/ link to each other and into the repository: every
 * relative link must name a file that exists and, with a #fragment, a
 * heading in it (GitHub's anchors: lower case, punctuation dropped, spaces
 * as dashes). Moving a section breaks links; this says which.
 */
const files = ['README.md', ...readdirSync('docs').filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = !fenced && /^#{1,6} (.*)$/.exec(line);
    if (heading) anchors.add(heading[1]!.trim().toLowerCase().replace(/[^\w\- ]/g, '').replaceAll(' ', '-'));
  }
  return anchors;
}

/** Markdown links outside code: `[text](target)`, targets that are not URLs. */
function linksOf(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!).filter((target) => !/^[a-z]+:/.test(target));
}

describe('links in the README and docs/', () => {
  it.each(files)('%s: every relative link names a file and a heading that exist', (file) => {
    const broken: string[] = [];
    for (const link of linksOf(file)) {
      const [path, fragment] = link.split('#') as [string, string | undefined];
      const target = path === '' ? file : normalize(join(dirname(file), path));
      if (!existsSync(target)) broken.push(`${link}: no ${target}`);
      else if (fragment !== undefined && target.endsWith('.md') && !anchorsOf(target).has(fragment)) broken.push(`${link}: no heading #${fragment} in ${target}`);
    }
    expect(broken).toEqual([]);
  });

  it('the README stays a front door: short, with its reference in docs/', () => {
    expect(readFileSync('README.md', 'utf8').split('\n').length).toBeLessThan(250);
  });
});
