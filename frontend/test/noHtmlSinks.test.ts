import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// Paths, hosts, summaries and parser messages are attacker-controlled: the app renders text only.
// Any of these in src/ could turn such text into markup.
const SINKS = ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'dangerouslySetInnerHTML'];
const SRC = join(import.meta.dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.(ts|tsx|js|jsx|mjs|html)$/.test(name) ? [path] : [];
  });
}

/** Each use of a sink in a text, as "file:line: sink"; case-insensitive, so no spelling slips by. */
function findSinks(file: string, text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, i) => {
    for (const sink of SINKS) {
      if (line.toLowerCase().includes(sink.toLowerCase())) found.push(`${file}:${i + 1}: ${sink}`);
    }
  });
  return found;
}

describe('no HTML sinks in src/', () => {
  it('scans a real set of source files', () => {
    const files = sourceFiles(SRC).map((f) => relative(SRC, f));
    expect(files).toContain('App.tsx');
    expect(files.length).toBeGreaterThan(10);
  });

  it('finds none', () => {
    const found = sourceFiles(SRC).flatMap((f) => findSinks(relative(SRC, f), readFileSync(f, 'utf8')));
    expect(found).toEqual([]);
  });

  it('would report each sink with its line', () => {
    const sample = ['el.textContent = x;', 'el.innerHTML = x;', "document.write('<p>')", '<div dangerouslySetInnerHTML={{ __html: x }} />'].join('\n');
    expect(findSinks('sample.tsx', sample)).toEqual([
      'sample.tsx:2: innerHTML',
      'sample.tsx:3: document.write',
      'sample.tsx:4: innerHTML',
      'sample.tsx:4: dangerouslySetInnerHTML',
    ]);
  });
});
