// The README's examples started, not only type-checked: every Nest module an example exports is created as an
// application and initialised, so a provider the example forgets to export or inject fails here.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { toReadmePositions } from '../readme-examples.mjs';
import { BUILD_DIR } from './consumer.mjs';
import { begin, CheckError, log, run } from './harness.mjs';

const BOOT_SCRIPT = `'use strict';
require('reflect-metadata');
const { NestFactory } = require('@nestjs/core');
const { MODULE_METADATA } = require('@nestjs/common/constants');

const moduleKeys = new Set(Object.values(MODULE_METADATA));
const isNestModule = (value) =>
  typeof value === 'function' && Reflect.getMetadataKeys(value).some((key) => moduleKeys.has(key));

async function main() {
  const [file] = process.argv.slice(2);
  const modules = Object.entries(require(file)).filter(([, value]) => isNestModule(value));
  if (modules.length === 0) throw new Error(file + ' exports no Nest module');
  for (const [name, module] of modules) {
    const app = await NestFactory.create(module, { logger: ['error', 'warn'], abortOnError: false });
    await app.init();
    await app.close();
    console.log('started ' + name);
  }
}

main().catch((error) => {
  console.error(String((error && error.stack) || error));
  process.exit(1);
});
`;

export async function bootExamples(appDir, examples) {
  begin("start every Nest module the README's examples export");
  writeFileSync(join(appDir, 'boot-example.cjs'), BOOT_SCRIPT);
  // The Web Push example reads its VAPID pair from the environment, as a deployment would.
  const { publicKey, privateKey } = createRequire(import.meta.url)('web-push').generateVAPIDKeys();
  const env = { ...process.env, VAPID_PUBLIC_KEY: publicKey, VAPID_PRIVATE_KEY: privateKey };
  for (const example of examples) {
    const built = `./${BUILD_DIR}/${example.file.replace(/\.ts$/, '.js')}`;
    try {
      const { stdout } = await run(process.execPath, ['boot-example.cjs', built], { cwd: appDir, env });
      log(`README example ${example.name}: ${stdout.trim().split('\n').join(', ')}`);
    } catch (error) {
      if (error instanceof CheckError) {
        error.message = `README example ${example.name} (line ${example.line}) does not start: ${error.message}`;
        error.output = toReadmePositions(error.output ?? '', examples);
      }
      throw error;
    }
  }
}
