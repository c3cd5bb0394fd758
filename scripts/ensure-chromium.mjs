// Browser tests need Debian's Chromium; install it where it is missing (CI machines start without it).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(path)) {
  console.log(`chorus: ${path} is missing; installing Debian's chromium for the browser tests...`);
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const run = (args) => spawnSync(sudo.length ? 'sudo' : args[0], sudo.length ? args : args.slice(1), { stdio: 'inherit' });
  let r = run(['apt-get', 'install', '-y', '--no-install-recommends', 'chromium']);
  if (r.status !== 0) {
    run(['apt-get', 'update']);
    r = run(['apt-get', 'install', '-y', '--no-install-recommends', 'chromium']);
  }
  if (r.status !== 0 || !existsSync(path)) {
    console.error('chorus: could not install chromium; the browser tests need it (apt-get install chromium).');
    process.exit(1);
  }
}
