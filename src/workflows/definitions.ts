import { defineQuery } from '@temporalio/workflow';
import type { TakedownStatus } from './types';

/** Workflow type of the contract. */
export const TAKEDOWN_WORKFLOW_TYPE = 'takedown';

/** `status`: where the takedown is, step by step. */
export const statusQuery = defineQuery<TakedownStatus>('status');
