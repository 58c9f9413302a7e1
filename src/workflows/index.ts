/** Workflow entry points registered by the worker. */
export { takedown } from './takedown';
export { providerPacer } from './pacer';
export { ban } from './ban';
export { review } from './review';
