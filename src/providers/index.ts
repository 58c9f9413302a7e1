/** Provider clients, their code tables, and the shapes and errors shared with the activities. */
export * from './agora';
export * from './errors';
export { MAX_ANSWER_BYTES, resolveTimeouts } from './http';
export * from './types';
export * from './zego';
