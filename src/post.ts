import { actionsCore } from './action/core.js';
import { failStep } from './action/failure.js';
import { postAction } from './action/post-action.js';
import { actionsExec } from './action/services/exec.js';

await postAction({ core: actionsCore, exec: actionsExec }).catch((error: unknown) =>
  failStep(actionsCore, error),
);
