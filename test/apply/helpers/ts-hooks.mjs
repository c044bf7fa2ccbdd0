// Module hooks that let a plain `node` child process run the TypeScript sources, the way
// vitest does in-process: `.js` imports that name a `.ts` file resolve to it, and `.ts` files
// are transpiled (types stripped) with the project's own TypeScript. Transpiled files are
// cached by path, size and mtime in the temp folder, so that most children never load the
// TypeScript compiler (which takes most of a child's start-up time).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const cacheDir = path.join(tmpdir(), 'exitkit-ts-cache');
let typescript;

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const relative = specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('file:');
    if (relative && specifier.endsWith('.js')) {
      return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
    }
    throw error;
  }
}

export async function load(url, context, nextLoad) {
  if (!url.endsWith('.ts')) return nextLoad(url, context);
  const fileName = fileURLToPath(url);
  const info = await stat(fileName);
  const key = createHash('sha256').update(`${fileName}\0${info.size}\0${info.mtimeMs}`).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return { format: 'module', source: await readFile(cached, 'utf8'), shortCircuit: true };
  } catch {
    // not cached yet
  }
  typescript ??= (await import('typescript')).default;
  const output = typescript.transpileModule(await readFile(fileName, 'utf8'), {
    fileName,
    compilerOptions: {
      module: typescript.ModuleKind.ESNext,
      target: typescript.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
      sourceMap: false,
    },
  });
  await mkdir(cacheDir, { recursive: true });
  const temp = `${cached}.${process.pid}.tmp`;
  await writeFile(temp, output.outputText);
  await rename(temp, cached);
  return { format: 'module', source: output.outputText, shortCircuit: true };
}
