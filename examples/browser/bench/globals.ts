// benchmark.js looks for lodash through `require`, which a browser bundle lacks, and then
// on its global object; this puts it there. Imported before anything that loads benchmark.js.
import lodash from 'lodash';

(globalThis as unknown as { _: object })._ = lodash;
