import type { Workload } from './lib/harness';
export const w3: Workload = { id: 'W3', title: 'todo', async run() { return []; } };
