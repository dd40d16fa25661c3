// Runs the browser cases against a keel binary, one after the other, each
// with its own keel serve and browser; prints each case's result and exits 1
// when any failed. node run.js --keel BUILD/keel [--screenshots DIR] [CASE...]
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';

import approval from './cases/approval.js';
import explain from './cases/explain.js';
import guest from './cases/guest.js';
import okr from './cases/okr.js';
import rules from './cases/rules.js';
import {Harness} from './harness.js';

const CASES = {okr, approval, guest, explain, rules};
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const {values, positionals} = parseArgs({
  options: {keel: {type: 'string'}, screenshots: {type: 'string'}},
  allowPositionals: true,
});
if (!values.keel) {
  console.error('usage: node run.js --keel PATH/TO/keel [--screenshots DIR] [okr|approval|guest|explain|rules ...]');
  process.exit(2);
}
const screenshots = resolve(values.screenshots || join(root, 'build', 'browser-screenshots'));
const names = positionals.length > 0 ? positionals : Object.keys(CASES);
let failed = 0;
for (const name of names) {
  if (!CASES[name]) {
    console.error(`browser tests: no case named ${name} (${Object.keys(CASES).join(', ')})`);
    process.exit(2);
  }
  const harness = new Harness({keel: resolve(values.keel), root, screenshots});
  const started = Date.now();
  try {
    await CASES[name](harness);
    if (harness.pageErrors.length > 0) throw new Error(`the page reported errors:\n${harness.pageErrors.join('\n')}`);
    console.log(`ok ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    failed += 1;
    console.log(`FAILED ${name}: ${error.stack || error}`);
    for (const server of harness.servers) console.log(`--- keel ${name} output:\n${server.output()}`);
  } finally {
    await harness.close();
  }
}
console.log(`${names.length - failed} of ${names.length} browser cases passed; screenshots in ${screenshots}`);
process.exit(failed > 0 ? 1 : 0);
