// ESLint (flat config) with typescript-eslint: TypeScript parsing and a line length of 120 for hand-written code.
// Lines inside template literals are exempt (they hold embedded Python and generated source, which cannot be
// wrapped), as are URLs and regular expressions. The generated op surface (lib/torch/generated) is not linted.
// Formatting: Prettier (.prettierrc.json, `npm run format`).
import stylistic from '@stylistic/eslint-plugin';
import tseslint from 'typescript-eslint';

const maxLen = { code: 120, tabWidth: 2, ignoreUrls: true, ignoreRegExpLiterals: true, ignoreTemplateLiterals: true };

/**
 * Code under active work elsewhere when the line limit came in: its long lines are warnings until it is formatted
 * (`npm run format -- <path>`); then it leaves this list.
 */
const NOT_YET_FORMATTED = [
  'lib/nn/**', 'scripts/gen-ops.mjs', 'test-support/layer-cases.ts',
  'test-support/type-checks.ts', 'test/api-types.test.ts', 'test/data-interop.test.ts', 'test/idioms.test.ts',
  'test/indexing.test.ts', 'test/io-*.test.ts', 'test/literals.test.ts', 'test/literals/**', 'test/nn-*.test.ts',
  'test/optim-*.test.ts', 'test/overload-pairs.test.ts', 'test/printing.test.ts', 'test/reductions.test.ts',
  'test/reference-loop.test.ts', 'test/serialization-format.test.ts', 'test/serialize.test.ts',
  'test/tensor-values.test.ts', 'test/tensorboard.test.ts', 'test/torch-core.test.ts', 'test/types/**',
];

export default tseslint.config(
  { ignores: ['dist/**', 'build/**', 'node_modules/**', '.deps/**', 'data/**', 'runs/**', 'lib/torch/generated/**'] },
  {
    files: ['**/*.ts', '**/*.mts', '**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.base],
    plugins: { '@stylistic': stylistic },
    rules: { '@stylistic/max-len': ['error', maxLen] },
  },
  { files: NOT_YET_FORMATTED, rules: { '@stylistic/max-len': ['warn', maxLen] } },
);
