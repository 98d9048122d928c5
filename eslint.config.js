// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { layeringZones } from './scripts/layering.js';

export default tseslint.config(
  { ignores: ['node_modules', 'out', 'dist', 'test-results', 'bench/out', 'resources', 'scratch-*'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['eslint.config.js', 'bin/*.js', 'scripts/*.js', 'test/helpers/*.js'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Plain JavaScript tools: no type information to check against.
    files: ['scripts/**/*.js', 'bin/**/*.js', 'test/helpers/*.js', '*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Only the two binding files talk IPC; everything else goes through the typed contract (src/shared/api.ts).
    files: ['src/**'],
    ignores: ['src/main/electron/ipc.ts', 'src/preload/index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              importNames: ['ipcMain', 'ipcRenderer'],
              message: 'Use the typed API binding (src/main/electron/ipc.ts, src/preload).',
            },
          ],
        },
      ],
    },
  },
  {
    // The layers of src/main and the renderer: which folder may import which (scripts/layering.js,
    // where each arrow is written down with its reason; test/unit/layering.test.ts shows each one refuses).
    files: ['src/**'],
    plugins: { 'import-x': importX },
    rules: { 'import-x/no-restricted-paths': ['error', { zones: layeringZones }] },
  },
  {
    // The engine, the workers and every front end but the Electron shell run under plain Node.
    files: [
      'src/main/engine/**',
      'src/main/worker/**',
      'src/main/common/**',
      'src/main/api/**',
      'src/main/cli/**',
      'src/main/server/**',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'The engine runs without Electron; Electron code lives in src/main/electron.',
            },
          ],
        },
      ],
    },
  },
  {
    // The contract is plain data and types, shared by every process.
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', 'electron', 'react', 'react-dom'] }],
    },
  },
  {
    // The window runs in a sandboxed renderer (or a browser): no Node, no Electron; it talks to the
    // engine only through the API contract.
    files: ['src/renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'The window runs in a browser sandbox: no Node modules.' },
            {
              group: ['electron'],
              message: 'The window talks to the app through the API (src/shared/api.ts).',
            },
          ],
        },
      ],
    },
  },
);
