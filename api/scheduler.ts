/**
 * Clock-driven jobs (reminders; members' queued activity folded into the console's counters).
 * Each job is idempotent, so running it on every instance, or again after a restart, sends
 * nothing twice.
 */
import type { Deps } from './context.ts';
import { foldMemberActivity } from './console/fold-member-activity.ts';
import { runDueReminders } from './meetings/run-due-reminders.ts';
import { runDueNoticeJobs } from './notices/manage-notice.ts';

const EVERY_MS = 60_000;

export function startScheduler(deps: Pick<Deps, 'db' | 'clock' | 'log' | 'config' | 'linkSecret'>) {
  const jobs = [runDueReminders, runDueNoticeJobs, foldMemberActivity];
  const tick = async () => {
    for (const job of jobs) {
      await job(deps).catch((e) => deps.log.error({ err: e, job: job.name }, 'scheduled job failed'));
    }
  };
  const timer = setInterval(() => void tick(), EVERY_MS);
  void tick();
  return { stop: () => clearInterval(timer) };
}
