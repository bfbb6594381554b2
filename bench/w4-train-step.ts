import type { Workload } from './lib/harness';
export const w4: Workload = { id: 'W4', title: 'todo', async run() { return []; } };
