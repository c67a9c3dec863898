/** A worker thread that encrypts ballots (ballot-workers.ts): the group arithmetic off the service's event loop. */
import { parentPort } from 'node:worker_threads';
import { ballotTracker, type BallotContext, encryptBallot } from './ballot-crypto.ts';

interface Job {
  id: number;
  ctx: BallotContext;
  secret: Uint8Array;
  marked: number[];
}

parentPort!.on('message', (job: Job) => {
  try {
    const sealed = encryptBallot(job.ctx, job.secret, job.marked);
    parentPort!.postMessage({ id: job.id, ballot: JSON.stringify(sealed), tracker: ballotTracker(sealed) });
  } catch (e) {
    parentPort!.postMessage({ id: job.id, error: (e as Error).message });
  }
});
