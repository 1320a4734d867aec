import { actionsCore } from './action/core.js';
import { failStep } from './action/failure.js';
import { liveDependencies } from './action/live.js';
import { runAction } from './action/run-action.js';

await runAction(liveDependencies()).catch((error: unknown) => failStep(actionsCore, error));
