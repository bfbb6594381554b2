import type { Workload } from './lib/harness';
export const tripletLossStep: Workload = { id: 'TRIPLETLOSSSTEP', title: 'todo', async run() { return []; } };
