// The README's compiled examples: the ```ts blocks right after a `<!-- compile: NAME ... -->` line.
//
// The release check writes each one to `readme-NAME.ts` in its throwaway app and type-checks it against the
// packed library, so an example that stops compiling fails the check; tsc's positions are mapped back to
// README lines.
import { readFileSync } from 'node:fs';

const MARKER = /^<!--\s*compile:\s*([a-z0-9-]+)\b.*-->\s*$/;
const OPENING = /^```(ts|typescript)\s*$/;
const CLOSING = /^```\s*$/;

/** `{ name, file, line, code }` per marked block; `line` is the README line of its first line of code. */
export function readmeExamples(readmePath) {
  const lines = readFileSync(readmePath, 'utf8').split(/\r?\n/);
  const examples = [];
  lines.forEach((text, index) => {
    const marker = MARKER.exec(text);
    if (!marker) return;
    const where = `README line ${index + 1}`;
    if (!OPENING.test(lines[index + 1] ?? ''))
      throw new Error(`${where}: the compile marker is not followed by a \`\`\`ts block`);
    const end = lines.findIndex((candidate, at) => at > index + 1 && CLOSING.test(candidate));
    if (end === -1) throw new Error(`${where}: the \`\`\`ts block after the compile marker is never closed`);
    const name = marker[1];
    if (examples.some((example) => example.name === name)) throw new Error(`${where}: a second example named ${name}`);
    examples.push({
      name,
      file: `readme-${name}.ts`,
      line: index + 3,
      code: `${lines.slice(index + 2, end).join('\n')}\n`,
    });
  });
  if (examples.length === 0) throw new Error('the README marks no example with <!-- compile: NAME -->');
  return examples;
}

/** Rewrites tsc's `readme-NAME.ts(line,column)` positions in `output` as `README.md:line:column`. */
export function toReadmePositions(output, examples) {
  return examples.reduce(
    (text, example) =>
      text.replaceAll(
        new RegExp(`${example.file.replace('.', '\\.')}\\((\\d+),(\\d+)\\)`, 'g'),
        (_, line, column) => `README.md:${example.line + Number(line) - 1}:${column}`,
      ),
    output,
  );
}
