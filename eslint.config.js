// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', 'out', 'dist', 'test-results', 'bench/out', 'resources', 'scratch-*'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js', 'bin/*.js', 'scripts/*.js'] },
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
    files: ['scripts/**/*.js', 'bin/**/*.js', '*.js'],
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
    // The engine and the workers run under plain Node: no Electron in there.
    files: ['src/main/engine/**', 'src/main/worker/**', 'src/main/cli/**', 'src/main/server/**'],
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
);
