// Lets a child `node` process run the server's TypeScript sources as they are, for tests that must start
// the real `src/main.ts` in a process of its own (e.g. to set NODE_EXTRA_CA_CERTS, which Node reads at
// start only). `node -r ./test/server/support/register-typescript.js src/main.ts`: every `.ts` file is
// transpiled with the repository's tsconfig.json (the compiler's own `transpileModule`, the same
// isolated-modules emit ts-jest uses), and `jmap-push` / `jmap-push/*` load the library's sources, as
// tsconfig's `paths` map them, so no build is needed. Transpiling takes seconds on a busy machine, so the
// output is kept in a cache under the system's temporary folder, keyed by the source and the options:
// the second server a test starts loads at once.
'use strict';
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');
const ts = require('typescript');

const root = path.resolve(__dirname, '../../..');
const parsed = ts.getParsedCommandLineOfConfigFile(
  path.join(root, 'tsconfig.json'),
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  },
);
const compilerOptions = { ...parsed.options, sourceMap: false, inlineSourceMap: true };
const cacheDir = path.join(os.tmpdir(), 'jmap-push-transpiled');
const optionsKey = JSON.stringify([ts.version, compilerOptions]);
const librarySources = path.join(root, 'libs/jmap-push/src');

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
