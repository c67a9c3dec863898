// Starts a ballot-encryption worker thread: the service runs TypeScript through tsx, which a
// new thread does not inherit, so it is registered here first (as extraction-boot.mjs does).
import { register } from 'tsx/esm/api';

register();
await import('./ballot-worker.ts');
