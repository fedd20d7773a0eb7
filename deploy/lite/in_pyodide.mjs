// Run a Python script in the browser's own Python (Pyodide's npm core), in Node, at build time.
//
// Used by build_pyodide.py to compile Python to bytecode with the very CPython (3.14 in
// WebAssembly) that will import it in the browser (the build machine's own Python is older, and
// bytecode is specific to one Python version), and by the tests to import what was compiled.
//
// Usage: node in_pyodide.mjs RUNTIME_DIR LOCK_FILE HOST_DIR SCRIPT [ARG...]
//   RUNTIME_DIR  a folder holding pyodide.mjs, pyodide.asm.*, python_stdlib.zip
//   LOCK_FILE    a Pyodide lock file (loadPyodide needs one; no package is loaded from it)
//   HOST_DIR     a folder of this machine, seen by the script as /host
//   SCRIPT       a Python file of this machine, run as __main__ with sys.argv = [SCRIPT, ARG...]
// Environment variables named PYTHON... are Python's (e.g. PYTHONNODEBUGRANGES).
// The script's output is this program's; an exception in it exits with status 1.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [runtime, lock, host, script, ...args] = process.argv.slice(2);
if (!script) {
  console.error("usage: node in_pyodide.mjs RUNTIME_DIR LOCK_FILE HOST_DIR SCRIPT [ARG...]");
  process.exit(2);
}
const { loadPyodide } = await import(pathToFileURL(resolve(runtime, "pyodide.mjs")).href);
const pyodide = await loadPyodide({
  indexURL: resolve(runtime) + "/",
  lockFileURL: resolve(lock),
  // Python's own settings (PYTHON...) pass through, as they would to a CPython run here.
  env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("PYTHON"))),
  stdout: (line) => console.log(line),
  stderr: (line) => console.error(line),
});
pyodide.FS.mkdirTree("/host");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: resolve(host) }, "/host");
pyodide.pyimport("sys").argv = pyodide.toPy([script, ...args]);
try {
  await pyodide.runPythonAsync(readFileSync(script, "utf8"), {
    filename: script,
    globals: pyodide.toPy({ __name__: "__main__" }),
  });
} catch (error) {
  console.error(String(error.message ?? error));
  process.exit(1);
}
