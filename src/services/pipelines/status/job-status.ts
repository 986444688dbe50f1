/** GitLab's job statuses (Ci::HasStatus::AVAILABLE_STATUSES, 17.x). */
export const JOB_STATUSES = [
  'created', 'waiting_for_resource', 'preparing', 'waiting_for_callback', 'pending', 'running', 'success', 'failed',
  'canceling', 'canceled', 'skipped', 'manual', 'scheduled',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const COMPLETED_STATUSES: readonly JobStatus[] = ['success', 'failed', 'canceled', 'skipped'];
export const ACTIVE_STATUSES: readonly JobStatus[] = ['waiting_for_resource', 'preparing', 'waiting_for_callback', 'pending', 'running'];
export const CANCELABLE_STATUSES: readonly JobStatus[] = ['created', 'waiting_for_resource', 'preparing', 'waiting_for_callback', 'pending', 'running', 'scheduled'];
/** Statuses a resource group counts as holding the resource. */
export const RESOURCE_HOLDING_STATUSES: readonly JobStatus[] = ['pending', 'running', 'canceling'];

export type JobEvent = 'enqueue' | 'enqueue_waiting' | 'run' | 'success' | 'drop' | 'skip' | 'cancel' | 'start_canceling' | 'actionize' | 'schedule' | 'unschedule';

/** The job state machine (CommitStatus + Ci::Build, 17.x): which statuses each event leaves from, and where it goes. */
const TRANSITIONS: Record<JobEvent, { from: readonly JobStatus[]; to: (from: JobStatus) => JobStatus }> = {
  enqueue: { from: ['created', 'skipped', 'manual', 'scheduled', 'waiting_for_resource', 'preparing'], to: () => 'pending' },
  enqueue_waiting: { from: ['created', 'skipped', 'manual', 'scheduled'], to: () => 'waiting_for_resource' },
  run: { from: ['pending'], to: () => 'running' },
  success: {
    from: ['created', 'waiting_for_resource', 'preparing', 'waiting_for_callback', 'pending', 'running', 'canceling'],
    to: (from) => (from === 'canceling' ? 'canceled' : 'success'),
  },
  drop: {
    from: ['created', 'waiting_for_resource', 'preparing', 'waiting_for_callback', 'pending', 'running', 'manual', 'scheduled', 'canceling'],
    to: (from) => (from === 'canceling' ? 'canceled' : 'failed'),
  },
  skip: { from: ['created', 'waiting_for_resource', 'preparing', 'pending'], to: () => 'skipped' },
  cancel: { from: [...CANCELABLE_STATUSES, 'manual', 'canceling'], to: () => 'canceled' },
  start_canceling: { from: ['running'], to: () => 'canceling' },
  actionize: { from: ['created'], to: () => 'manual' },
  schedule: { from: ['created'], to: () => 'scheduled' },
  unschedule: { from: ['scheduled'], to: () => 'manual' },
};

/** The status `event` moves a job in `from` to, or null when GitLab's state machine refuses it. */
export function nextStatus(from: JobStatus, event: JobEvent): JobStatus | null {
  const transition = TRANSITIONS[event];
  return transition.from.includes(from) ? transition.to(from) : null;
}

export const isCompleted = (status: JobStatus) => COMPLETED_STATUSES.includes(status);
