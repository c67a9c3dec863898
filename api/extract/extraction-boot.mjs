// Starts an extraction worker thread or child process: the service runs TypeScript through
// tsx, which a new thread or process does not inherit, so it is registered here first.
import { register } from 'tsx/esm/api';

register();
await import('./extraction-worker.ts');
