// Runs one TypeScript file of the tests in a process of its own: `fork(this file, [file.ts])`. Tests
// use it for a node they can kill outright (SIGKILL), which no in-process app can stand in for. Each
// `.ts` file is transpiled as it is required (no type check: the test run's own `tsc` does that), with
// the compiler options of the tests, and `jmap-push` resolves to the library's sources as in Jest.
const Module = require('node:module');
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
// Loaded only to transpile what is not cached yet: loading the compiler takes a while.
let ts;
const typescript = () => (ts ??= require('typescript'));
const TS_VERSION = require('typescript/package.json').version;

const root = path.resolve(__dirname, '../../..');
const librarySources = path.join(root, 'libs/jmap-push/src');
const compilerOptions = {
  module: 'commonjs',
  target: 'es2022',
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  useDefineForClassFields: false,
  esModuleInterop: true,
  allowSyntheticDefaultImports: true,
  isolatedModules: true,
  inlineSourceMap: true,
};

// Transpiled files are kept by content, so the second node a test starts does not transpile again.
const cacheDir = path.join(tmpdir(), `jmap-push-test-ts-${TS_VERSION}`);
mkdirSync(cacheDir, { recursive: true });

function transpiled(filename) {
  const source = readFileSync(filename, 'utf8');
  const key = createHash('sha256')
    .update(JSON.stringify(compilerOptions))
    .update(filename)
    .update('\0')
    .update(source)
    .digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return readFileSync(cached, 'utf8');
  } catch {
    const { outputText } = typescript().transpileModule(source, {
      compilerOptions: typescript().convertCompilerOptionsFromJson(compilerOptions, root).options,
      fileName: filename,
    });
    // Written aside, then renamed: a node starting at the same time never reads half a file.
    const partial = `${cached}.${process.pid}`;
    writeFileSync(partial, outputText);
    renameSync(partial, cached);
    return outputText;
  }
}

require.extensions['.ts'] = (module, filename) => {
  module._compile(transpiled(filename), filename);
};

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const mapped =
    request === 'jmap-push' || request.startsWith('jmap-push/')
      ? path.join(librarySources, request.slice('jmap-push'.length))
      : request;
  return resolveFilename.call(this, mapped, ...rest);
};

require(path.resolve(process.argv[2]));
