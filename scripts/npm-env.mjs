// The environment for an npm run on another folder than the one an enclosing `npm run` started in.
//
// `npm test` exports its own package, lifecycle and prefix settings to every child; an `npm install` spawned
// with them would act on this repository instead of the folder it was given.
export const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const inherited = new Set([
  'npm_config_local_prefix',
  'npm_config_prefix',
  'npm_config_workspace',
  'npm_config_workspaces',
  'init_cwd',
]);

/** `process.env` without an enclosing `npm run`'s package, lifecycle, prefix and workspace settings. */
export function cleanNpmEnv() {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    const lower = key.toLowerCase();
    if (lower.startsWith('npm_package_') || lower.startsWith('npm_lifecycle_') || inherited.has(lower)) {
      delete env[key];
    }
  }
  return env;
}
