// Lets a child `node` process run the repository's TypeScript sources as they are, for tests that need a
// process of their own: the real `src/main.ts` (NODE_EXTRA_CA_CERTS is read at start only), or a node a
// test can kill outright (SIGKILL), which no in-process app can stand in for.
//   node -r ./test/support/typescript-hook.js src/main.ts      (a preload)
//   fork('test/support/typescript-hook.js', ['file.ts'])         (a runner: requires its argument)
// Every `.ts` file is transpiled with the repository's tsconfig.json (the compiler's own `transpileModule`,
// the isolated-modules emit ts-jest uses; no type check, the test run's `tsc` does that), and `jmap-push` /
// `jmap-push/*` load the library's sources, as tsconfig's `paths` map them, so no build is needed.
// Transpiling takes seconds on a busy machine, so the output is kept in a cache under the system's
// temporary folder, keyed by the compiler's version, tsconfig.json, the file and its source; the compiler
// itself is loaded only on a miss, so the second process a test starts loads at once.
'use strict';
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const tsconfig = path.join(root, 'tsconfig.json');
const librarySources = path.join(root, 'libs/jmap-push/src');
const cacheDir = path.join(os.tmpdir(), 'jmap-push-transpiled');
const optionsKey = JSON.stringify([require('typescript/package.json').version, fs.readFileSync(tsconfig, 'utf8')]);

let compiler;
/** The compiler and the tests' compiler options, loaded on the first file not in the cache. */
function typescript() {
  if (compiler) return compiler;
  const ts = require('typescript');
  const parsed = ts.getParsedCommandLineOfConfigFile(
    tsconfig,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  compiler = { ts, compilerOptions: { ...parsed.options, sourceMap: false, inlineSourceMap: true } };
  return compiler;
}

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const mapped =
    request === 'jmap-push' || request.startsWith('jmap-push/')
      ? path.join(librarySources, request.slice('jmap-push'.length))
      : request;
  return resolveFilename.call(this, mapped, ...rest);
};

function transpiled(filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const key = createHash('sha256').update(optionsKey).update('\0').update(filename).update('\0').update(source);
  const cached = path.join(cacheDir, `${key.digest('hex')}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    const { ts, compilerOptions } = typescript();
    const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename });
    // Written aside and renamed, so a process starting meanwhile never reads half a file.
    fs.mkdirSync(cacheDir, { recursive: true });
    const partial = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(partial, outputText);
    fs.renameSync(partial, cached);
    return outputText;
  }
}

require.extensions['.ts'] = (module, filename) => {
  module._compile(transpiled(filename), filename);
};

// Run as a script (the runner form): the file to run is the first argument.
if (require.main === module) require(path.resolve(process.argv[2]));
