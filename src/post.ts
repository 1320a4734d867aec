import { actionsCore } from './action/core.js';
import { failStep } from './action/failure.js';
import { postAction } from './action/post-action.js';
import { actionsExec } from './action/exec.js';

await postAction({ core: actionsCore, exec: actionsExec, env: process.env }).catch(
  (error: unknown) => failStep(actionsCore, error),
);
