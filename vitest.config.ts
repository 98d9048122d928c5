import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Integration tests run real OCR worker processes; two cores are shared between them.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    // One scratch folder per run, removed at its end (test/globalSetup.ts).
    globalSetup: ['test/globalSetup.ts'],
    // qpdf --check on every PDF the app wrote during each test (test/helpers/qpdfCheck.ts).
    setupFiles: ['test/helpers/qpdfAfterEach.ts'],
  },
});
