// ESLint (flat config) with typescript-eslint: TypeScript parsing and a line length of 120 for hand-written code.
// Lines inside template literals are exempt (they hold embedded Python and generated source, which cannot be
// wrapped), as are URLs and regular expressions. The generated op surface (lib/torch/generated) is not linted.
// Formatting: Prettier (.prettierrc.json, `npm run format`).
import stylistic from '@stylistic/eslint-plugin';
import tseslint from 'typescript-eslint';

const maxLen = { code: 120, tabWidth: 2, ignoreUrls: true, ignoreRegExpLiterals: true, ignoreTemplateLiterals: true };

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'build/**',
      'docs/api/**',
      'node_modules/**',
      '.deps/**',
      'data/**',
      'runs/**',
      'lib/torch/generated/**',
    ],
  },
  {
    files: ['**/*.ts', '**/*.mts', '**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.base],
    plugins: { '@stylistic': stylistic },
    rules: { '@stylistic/max-len': ['error', maxLen] },
  },
);
