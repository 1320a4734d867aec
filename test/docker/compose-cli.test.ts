// The Docker groundwork and the CLI in compose mode, one after another in one worker; the bundled
// action in compose mode is compose-action.test.ts, in another worker beside it. All three in one
// file, the file ran 173 s alone and 258 s in step 1, the last 90 s with nothing else left to run
// (stop 33). Each suite has its own compose project prefix, ports and images.
import './engine.suite.js';
import './cli-compose.suite.js';
