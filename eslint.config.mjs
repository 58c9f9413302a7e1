// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

/** Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O libraries. */
const forbiddenInWorkflows = [
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  'undici',
  '@temporalio/activity',
  '@temporalio/client',
  '@temporalio/worker',
];

export default tseslint.config(
  { ignores: ['lib/', 'node_modules/', 'coverage/', '.tools/', '.data/', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: forbiddenInWorkflows.map((name) => ({
            name,
            message: 'Workflow code is deterministic: no Node built-ins or I/O. Call an activity instead.',
          })),
          patterns: [
            { group: ['**/activities', '**/activities/*', '!**/activities/types'], message: 'Import activity types only (import type).', allowTypeImports: true },
            { group: ['**/providers/*', '**/sandbox/*'], message: 'Workflow code must not import provider clients or the sandbox.', allowTypeImports: true },
          ],
        },
      ],
    },
  },
);
