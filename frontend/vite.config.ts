import { defineConfig } from 'vitest/config';

// The service (Quarkus) serves the build at / from the Maven module's classes folder.
const service = 'http://localhost:8080';

export default defineConfig({
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'target/classes/META-INF/resources',
    emptyOutDir: true,
  },
  server: {
    proxy: { '/api': service, '/q': service },
  },
  preview: {
    proxy: { '/api': process.env.GATELENS_SERVICE ?? service, '/q': process.env.GATELENS_SERVICE ?? service },
  },
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    environment: 'node',
  },
});
