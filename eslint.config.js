// Lint rules for the whole workspace. Type-aware: every rule sees the real types.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Frameworks and drivers that business rules must not know about (STYLE.md, "Thin edges"). */
const infrastructureModules = [
  'kafkajs',
  'mongoose',
  'mongodb',
  'express',
  '@grpc/*',
  'bullmq',
  'ioredis',
  'nodemailer',
  'twilio',
];

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', 'packages/contracts/src/gen/**', 'coverage/**', '**/*.js', '**/*.cjs'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [{ group: ['*/src/*', '@kindred/*/src/*'], message: 'Import a package by its name, not a deep path.' }] }],
    },
  },
  {
    // The dependency rule: domain code is pure. A framework import here fails the lint.
    files: ['**/domain/**/*.ts', 'packages/matching-engine/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: infrastructureModules,
              message: 'domain/ must not import infrastructure; define a port and implement it in an adapter.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
