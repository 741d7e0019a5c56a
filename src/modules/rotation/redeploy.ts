// The rotation's afterRotated: deploys a replacement to each destination its predecessor went to that has not
// been tried with the replacement yet. certificates.rotate (onRotated) and a pending replacement's arrival deploy
// it already; this covers a process that died between issuing and deploying, without deploying anything twice.
import type { Db } from '../../db/index.ts';
import type { DeploymentService } from '../destinations/deploy.ts';
import { destinationIdsOf } from '../destinations/store.ts';
import { ROTATION_CONTEXT } from './service.ts';

export function redeployMissing(deps: { db: Db; deployments: Pick<DeploymentService, 'deploy'> }) {
  return async (oldId: number, newId: number): Promise<void> => {
    const tried = new Set(await destinationIdsOf(deps.db, newId));
    const missing = (await destinationIdsOf(deps.db, oldId)).filter((id) => !tried.has(id));
    // A destination that refuses is recorded on the deployment, not thrown: the not-deployed alert reports it.
    if (missing.length) await deps.deployments.deploy(newId, missing, ROTATION_CONTEXT);
  };
}
