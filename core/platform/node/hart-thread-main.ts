/**
 * A hart thread's entry on Node (worker_threads, started by the VM process): runs one hart of
 * the VM over the shared guest memory until told to exit (core/vm/hart-thread.ts).
 */
import { workerData } from 'node:worker_threads';
import { runHartThread } from '../../vm/hart-thread.js';
import type { HartThreadInit } from '../../vm/threaded-layout.js';

runHartThread(workerData as HartThreadInit, { wallMs: () => performance.timeOrigin + performance.now() });
